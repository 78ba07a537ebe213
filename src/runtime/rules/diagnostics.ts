/**
 * Errors and warnings of rules loading. Every one names the file, line and column of the item it is
 * about (the rule, macro, list or key; for condition errors the exact token), and what the item is.
 */
import { ChartroomError, ExitCode } from '../../core/errors.js';

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** Falco's warning classes, kebab-cased; `falco-incompatible` is Chartroom's own. */
export type WarningCode =
  | 'unknown-source'
  | 'unsafe-na-check'
  | 'unknown-filter'
  | 'unused-macro'
  | 'unused-list'
  | 'unknown-item'
  | 'deprecated-item'
  | 'append-no-values'
  | 'exception-name-not-unique'
  | 'invalid-macro-name'
  | 'invalid-list-name'
  | 'compile-condition'
  | 'unknown-key'
  | 'duplicate-key'
  | 'plugin-requirement'
  | 'falco-incompatible';

/** Falco's error classes (LOAD_ERR_*), kebab-cased. */
export type ErrorClass = 'yaml-parse' | 'yaml-validate' | 'compile-condition' | 'compile-output' | 'validate';

export interface RulesWarning {
  code: WarningCode;
  message: string;
  location: SourceLocation;
  /** e.g. `rule 'Create Privileged Pod'`. */
  item?: string;
}

export function formatWarning(w: RulesWarning): string {
  return `${formatLocation(w.location)}: ${w.item === undefined ? '' : `${w.item}: `}${w.message} [${w.code}]`;
}

const hints: Record<ErrorClass, string> = {
  'yaml-parse': 'The file is not valid YAML; fix the syntax at that position.',
  'yaml-validate': 'A rules file is a YAML list of list/macro/rule items with the keys Falco documents.',
  'compile-condition':
    'Fix the condition at that position; `chartroom runtime explain RULE` shows expanded conditions.',
  'compile-output': 'Output templates use %field or %field[arg] with fields of the rule source.',
  validate: 'Check the item against the rules it refers to (macros, lists, exceptions, versions).',
};

export class RulesLoadError extends ChartroomError {
  constructor(
    readonly errorClass: ErrorClass,
    readonly detail: string,
    readonly location: SourceLocation,
    readonly item?: string,
    /** Extra lines: the offending text and a caret under the position. */
    readonly snippet?: string,
  ) {
    super(`${formatLocation(location)}: ${item === undefined ? '' : `${item}: `}${detail}`, {
      code: 'rules-invalid',
      exitCode: ExitCode.config,
      hint: hints[errorClass],
    });
  }
}

/** Describes an item for messages: `rule 'X'`, `macro 'y'`, `list 'z'`. */
export function describeItem(kind: string, name: string | undefined): string {
  return name === undefined || name === '' ? kind : `${kind} '${name}'`;
}
