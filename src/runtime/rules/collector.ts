/**
 * Collects list, macro and rule definitions across rules files, applying redefinitions, `append`,
 * `override` and standalone `enabled` exactly as Falco's rule_loader::collector does, including its
 * error messages.
 */
import { parseFieldOrTransformer, supportedOperators } from '../parser/parser.js';
import type { EventSourceDefinition } from '../fields/types.js';
import {
  RulesLoadError,
  describeItem,
  type RulesWarning,
  type SourceLocation,
  type WarningCode,
} from './diagnostics.js';
import { MappedText } from './mapped-text.js';
import type {
  ExceptionEntry,
  ExceptionInfo,
  ListInfo,
  MacroInfo,
  Ordered,
  PluginRequirementInfo,
  RuleInfo,
  RuleUpdate,
  Version,
} from './model.js';
import { compareVersions, engineVersion, formatVersion, parseVersion, satisfies } from './versions.js';

const modifiableOperators = new Set([
  '=',
  '==',
  '!=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
]);

export function isOperatorWithModifier(op: string): boolean {
  const space = op.indexOf(' ');
  if (space < 0) return false;
  const base = op.slice(0, space);
  const modifier = op.slice(space + 1);
  return modifiableOperators.has(base) && ['oneof', 'anyof', 'allof'].includes(modifier);
}

export function isOperator(op: string): boolean {
  return supportedOperators.includes(op);
}

export function entryIsValid(entry: ExceptionEntry | undefined): entry is ExceptionEntry {
  return entry !== undefined && (entry.list ? entry.items.length > 0 : entry.item !== '');
}

/** True when `text` is exactly one field (with optional argument) of `source`. */
export function isValidField(source: EventSourceDefinition, text: string): boolean {
  try {
    const { expr, length } = parseFieldOrTransformer(text);
    if (length !== text.length || expr.kind !== 'field') return false;
    return source.open === true || source.field(expr.field) !== undefined;
  } catch {
    return false;
  }
}

export class Collector {
  private counter = 0;
  readonly lists = new Map<string, ListInfo>();
  readonly macros = new Map<string, MacroInfo>();
  readonly rules = new Map<string, RuleInfo>();
  readonly pluginRequirements: PluginRequirementInfo[] = [];
  requiredEngineVersion: Version | undefined;
  readonly warnings: RulesWarning[] = [];

  constructor(private readonly sources: ReadonlyMap<string, EventSourceDefinition>) {}

  warn(code: WarningCode, message: string, location: SourceLocation, item?: string): void {
    this.warnings.push({ code, message, location, ...(item === undefined ? {} : { item }) });
  }

  private fail(message: string, location: SourceLocation, item?: string): never {
    throw new RulesLoadError('validate', message, location, item);
  }

  /** Falco's define_info: a redefinition keeps the original position in the order. */
  private define<T extends Ordered & { name: string }>(infos: Map<string, T>, info: T): void {
    const previous = infos.get(info.name);
    info.index = previous?.index ?? this.counter;
    info.visibility = this.counter;
    infos.set(info.name, info);
    this.counter++;
  }

  private touch(info: Ordered): void {
    info.visibility = this.counter++;
  }

  defineEngineVersion(version: Version, location: SourceLocation): void {
    if (!satisfies(engineVersion, version)) {
      this.fail(
        `Rules require engine version ${formatVersion(version)}, but engine version is ${formatVersion(engineVersion)}`,
        location,
      );
    }
    if (
      this.requiredEngineVersion === undefined ||
      compareVersions(this.requiredEngineVersion, version) < 0
    ) {
      this.requiredEngineVersion = version;
    }
  }

  definePluginRequirement(info: PluginRequirementInfo): void {
    const seen = new Set<string>();
    for (const requirement of info.alternatives) {
      if (parseVersion(requirement.version) === undefined) {
        this.fail(
          `Invalid required version '${requirement.version}' for plugin '${requirement.name}'`,
          info.location,
        );
      }
      if (seen.has(requirement.name)) {
        this.fail(
          `Defined multiple alternative version requirements for plugin '${requirement.name}'`,
          info.location,
        );
      }
      seen.add(requirement.name);
    }
    this.pluginRequirements.push(info);
  }

  defineList(info: Omit<ListInfo, 'index' | 'visibility'>): void {
    this.define(this.lists, { ...info, index: 0, visibility: 0 });
  }

  appendList(name: string, items: string[], location: SourceLocation): void {
    const previous = this.lists.get(name);
    if (previous === undefined) {
      this.fail(
        "List uses 'append' or 'override.items: append' but no list by that name already exists",
        location,
        describeItem('list', name),
      );
    }
    previous.items.push(...items);
    this.touch(previous);
  }

  defineMacro(info: Omit<MacroInfo, 'index' | 'visibility'>): void {
    this.define(this.macros, { ...info, index: 0, visibility: 0 });
  }

  appendMacro(name: string, condition: MappedText, location: SourceLocation): void {
    const previous = this.macros.get(name);
    if (previous === undefined) {
      this.fail(
        "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
        location,
        describeItem('macro', name),
      );
    }
    previous.condition = MappedText.concat([previous.condition, ' ', condition]);
    this.touch(previous);
  }

  private previousRule(name: string, source: string, location: SourceLocation): RuleInfo | undefined {
    const previous = this.rules.get(name);
    if (previous !== undefined && previous.source !== '' && source !== '' && previous.source !== source) {
      this.fail('Rule has been re-defined with a different source', location, describeItem('rule', name));
    }
    return previous;
  }

  defineRule(info: Omit<RuleInfo, 'index' | 'visibility' | 'unknownSource'>): void {
    this.previousRule(info.name, info.source, info.location);
    const source = this.sources.get(info.source);
    const label = describeItem('rule', info.name);
    if (source === undefined)
      this.warn('unknown-source', `Unknown source ${info.source}, skipping`, info.location, label);
    for (const exception of info.exceptions) {
      if (!entryIsValid(exception.fields)) {
        this.fail(
          'Rule exception item must have fields property with a list of fields',
          exception.location,
          label,
        );
      }
      this.validateException(source, exception, label);
    }
    this.define(this.rules, { ...info, unknownSource: source === undefined, index: 0, visibility: 0 });
  }

  private sourceOf(
    previous: RuleInfo,
    location: SourceLocation,
    label: string,
  ): EventSourceDefinition | undefined {
    if (previous.unknownSource) return undefined;
    const source = this.sources.get(previous.source);
    if (source === undefined) this.fail(`Unknown source ${previous.source}`, location, label);
    return source;
  }

  appendRule(update: RuleUpdate): void {
    const label = describeItem('rule', update.name);
    const previous = this.previousRule(update.name, update.source, update.location);
    if (previous === undefined) {
      this.fail(
        "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
        update.location,
        label,
      );
    }
    if (!hasAnyValue(update))
      this.fail('Appended rule must have exceptions or condition property', update.location, label);
    const source = this.sourceOf(previous, update.location, label);
    if (update.condition !== undefined && update.condition.text !== '') {
      previous.condition = MappedText.concat([previous.condition, ' ', update.condition]);
    }
    if (update.output !== undefined && update.output.text !== '') {
      previous.output = MappedText.concat([previous.output, ' ', update.output]);
    }
    if (update.description !== undefined && update.description !== '') {
      previous.description += ` ${update.description}`;
    }
    for (const tag of update.tags ?? []) previous.tags.add(tag);
    for (const exception of update.exceptions ?? []) {
      const existing = previous.exceptions.find((e) => e.name === exception.name);
      if (existing === undefined) {
        if (!entryIsValid(exception.fields)) {
          this.fail(
            'Rule exception must have fields property with a list of fields',
            exception.location,
            label,
          );
        }
        if (exception.values.length === 0) {
          this.fail(
            'Rule exception must have values property with a list of values',
            exception.location,
            label,
          );
        }
        this.validateException(source, exception, label);
        previous.exceptions.push(exception);
      } else {
        if (entryIsValid(exception.fields)) {
          this.fail(
            'Can not append exception fields to existing exception, only values',
            exception.location,
            label,
          );
        }
        if (entryIsValid(exception.comps)) {
          this.fail(
            'Can not append exception comps to existing exception, only values',
            exception.location,
            label,
          );
        }
        existing.values.push(...exception.values);
      }
    }
    this.touch(previous);
  }

  replaceRule(update: RuleUpdate): void {
    const label = describeItem('rule', update.name);
    const previous = this.previousRule(update.name, update.source, update.location);
    if (previous === undefined) {
      this.fail(
        "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
        update.location,
        label,
      );
    }
    if (!hasAnyValue(update))
      this.fail('The rule must have at least one field that can be replaced', update.location, label);
    this.sourceOf(previous, update.location, label);
    if (update.condition !== undefined) previous.condition = update.condition;
    if (update.output !== undefined) previous.output = update.output;
    if (update.description !== undefined) previous.description = update.description;
    if (update.tags !== undefined) previous.tags = update.tags;
    if (update.exceptions !== undefined) previous.exceptions = update.exceptions;
    if (update.priority !== undefined) previous.priority = update.priority;
    if (update.capture !== undefined) previous.capture = update.capture;
    if (update.captureDuration !== undefined) previous.captureDuration = update.captureDuration;
    if (update.enabled !== undefined) previous.enabled = update.enabled;
    if (update.warnEvttypes !== undefined) previous.warnEvttypes = update.warnEvttypes;
    if (update.skipIfUnknownFilter !== undefined) previous.skipIfUnknownFilter = update.skipIfUnknownFilter;
    this.touch(previous);
  }

  enableRule(name: string, enabled: boolean, location: SourceLocation): void {
    const previous = this.rules.get(name);
    if (previous === undefined) {
      this.fail(
        "Rule has 'enabled' key but no rule by that name already exists",
        location,
        describeItem('rule', name),
      );
    }
    previous.enabled = enabled;
  }

  /** Falco's validate_exception_info: default comps, equal lengths, known operators and fields. */
  private validateException(
    source: EventSourceDefinition | undefined,
    exception: ExceptionInfo,
    label: string,
  ): void {
    const fields = exception.fields as ExceptionEntry;
    const where = exception.location;
    if (fields.list) {
      if (!entryIsValid(exception.comps)) {
        exception.comps = { list: true, items: fields.items.map(() => ({ list: false, item: '=' })) };
      }
      const comps = exception.comps;
      if (!comps.list || comps.items.length !== fields.items.length) {
        this.fail('Fields and comps lists must have equal length', where, label);
      }
      for (const comp of comps.items) {
        const op = comp.list ? '' : (comp.item = comp.item.trim());
        if (!isOperator(op) && !isOperatorWithModifier(op)) {
          this.fail(`'${op}' is not a supported comparison operator`, where, label);
        }
      }
      if (source !== undefined) {
        for (const field of fields.items) {
          const text = field.list ? '' : field.item;
          if (!isValidField(source, text))
            this.fail(`'${text}' is not a supported filter field`, where, label);
        }
      }
      return;
    }
    if (!entryIsValid(exception.comps)) exception.comps = { list: false, item: 'in' };
    const comps = exception.comps;
    if (comps.list) this.fail('Fields and comps must both be strings', where, label);
    comps.item = comps.item.trim();
    if (!['in', 'pmatch', 'intersects'].includes(comps.item) && !isOperatorWithModifier(comps.item)) {
      this.fail(
        'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)',
        where,
        label,
      );
    }
    if (source !== undefined && !isValidField(source, fields.item)) {
      this.fail(`'${fields.item}' is not a supported filter field`, where, label);
    }
  }
}

function hasAnyValue(update: RuleUpdate): boolean {
  const { name: _n, source: _s, location: _l, ...values } = update;
  return Object.values(values as Record<string, unknown>).some((v) => v !== undefined);
}
