/**
 * Turns collected definitions into runnable rules, in Falco's order: lists (inlining earlier
 * lists), then macros (each may use only macros defined before it), then rules (exceptions appended,
 * lists expanded, macros substituted, fields and operators checked, output template compiled).
 * Every failure is reported at the file, line and column of the text it is about.
 */
import type { Expr, Origin } from '../parser/ast.js';
import { ConditionSyntaxError, parseCondition } from '../parser/parser.js';
import { compileCondition, type Predicate } from '../compiler/compile.js';
import { CompileError } from '../compiler/operands.js';
import type { EventSourceDefinition } from '../fields/types.js';
import { OutputTemplate } from '../outputs/template.js';
import type { Collector } from './collector.js';
import { RulesLoadError, describeItem, type RulesWarning, type SourceLocation } from './diagnostics.js';
import { withExceptions } from './exceptions.js';
import { expandLists, resolveLists, type ResolvedList } from './lists.js';
import { resolveMacros } from './macros.js';
import type { MappedText } from './mapped-text.js';
import type { Priority } from './priority.js';

export interface CompiledRule {
  /** Position in evaluation order (definition order; a redefinition keeps the first position). */
  id: number;
  name: string;
  description: string;
  priority: Priority;
  source: string;
  /** Sorted, unique. */
  tags: string[];
  enabled: boolean;
  /** The condition as written (appends and exceptions included, lists and macros not expanded). */
  written: string;
  /** The condition with lists expanded, exceptions added and macros substituted. */
  condition: Expr;
  /** The macros and lists the condition uses, directly or through macros. */
  macros: string[];
  lists: string[];
  evaluate: Predicate;
  output: OutputTemplate;
  exceptionFields: string[];
  capture: boolean;
  captureDuration: number;
  location: SourceLocation;
}

export interface CompiledMacro {
  name: string;
  condition: Expr;
  used: boolean;
  location: SourceLocation;
}

export interface CompiledRules {
  rules: CompiledRule[];
  macros: Map<string, CompiledMacro>;
  lists: Map<string, ResolvedList>;
  warnings: RulesWarning[];
}

interface Parsed {
  expr: Expr;
  origin: Origin;
  /** Lists expanded in this text. */
  lists: string[];
}

/** Expands lists, parses, and tags every node with the place it was written. */
function parseMapped(
  text: MappedText,
  lists: ReadonlyMap<string, ResolvedList>,
  fallback: SourceLocation,
  label: string,
  cache: ParseCache,
): Parsed {
  const expanded = expandLists(text.text, lists);
  const cached = cache.get(text);
  if (cached !== undefined && cached.expanded === expanded.text) return { ...cached.parsed };
  const origin: Origin = (idx) => text.locate(expanded.toOriginal(idx)) ?? fallback;
  try {
    const expr = parseCondition(expanded.text, { maxDepth: 1000 });
    setOrigin(expr, origin);
    const parsed = { expr, origin, lists: expanded.lists };
    cache.set(text, { expanded: expanded.text, parsed });
    return { ...parsed };
  } catch (error) {
    if (!(error instanceof ConditionSyntaxError)) throw error;
    throw new RulesLoadError('compile-condition', error.message, origin(error.pos.idx) ?? fallback, label);
  }
}

function setOrigin(expr: Expr, origin: Origin): void {
  expr.origin = origin;
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      for (const child of expr.children) setOrigin(child, origin);
      break;
    case 'not':
      setOrigin(expr.child, origin);
      break;
    case 'transformer':
      for (const value of expr.values) setOrigin(value, origin);
      break;
    case 'unary':
      setOrigin(expr.left, origin);
      break;
    case 'binary':
      setOrigin(expr.left, origin);
      setOrigin(expr.right, origin);
      break;
    case 'field':
    case 'identifier':
    case 'value':
    case 'list':
      break;
  }
}

function locate(at: { pos: { idx: number }; origin?: Origin }, fallback: SourceLocation): SourceLocation {
  return at.origin?.(at.pos.idx) ?? fallback;
}

/** Falco warns when ka. and jevt. fields are compared with the string "<NA>" (use `exists`). */
function findNaComparison(expr: Expr): Expr | undefined {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const child of expr.children) {
        const found = findNaComparison(child);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'not':
      return findNaComparison(expr.child);
    case 'binary': {
      const unsafe = expr.left.kind === 'field' && /^(ka|jevt)\./.test(expr.left.field);
      const equality = ['=', '==', '!=', 'in', 'intersects', 'pmatch'].includes(expr.op);
      const values =
        expr.right.kind === 'value'
          ? [expr.right.value]
          : expr.right.kind === 'list'
            ? expr.right.values
            : [];
      return unsafe && equality && values.includes('<NA>') ? expr : undefined;
    }
    case 'unary':
    case 'identifier':
    case 'field':
    case 'transformer':
    case 'transformer_list':
    case 'value':
    case 'list':
      return undefined;
  }
}

const unknownFieldError = /nonexistent field|unknown filter|invalid formatting token/;

/**
 * Parsed conditions by the text they came from. Falco recompiles everything after each file; the
 * cache makes that cheap. Trees are never modified after parsing, so entries are shared as they are.
 */
export type ParseCache = WeakMap<MappedText, { expanded: string; parsed: Parsed }>;

export function compileRules(
  collector: Collector,
  sources: ReadonlyMap<string, EventSourceDefinition>,
  cache: ParseCache = new WeakMap(),
): CompiledRules {
  const warnings: RulesWarning[] = [];
  const warn = (warning: RulesWarning) => warnings.push(warning);
  const lists = resolveLists(collector.lists);

  // Macros: parse all, then resolve each with the macros defined before it.
  const parsedMacros = new Map<string, Parsed & { index: number }>();
  for (const macro of collector.macros.values()) {
    const parsed = parseMapped(
      macro.condition,
      lists,
      macro.location,
      describeItem('macro', macro.name),
      cache,
    );
    parsedMacros.set(macro.name, { ...parsed, index: macro.index });
  }
  const usedMacros = new Set<string>();
  const macros = new Map<string, CompiledMacro>();
  for (const macro of collector.macros.values()) {
    const parsed = parsedMacros.get(macro.name) as Parsed;
    const visible = (name: string) => {
      const other = parsedMacros.get(name);
      return other !== undefined && other.index < macro.visibility ? other.expr : undefined;
    };
    const resolution = resolveMacros(parsed.expr, visible);
    if (resolution.problem !== undefined) {
      throw new RulesLoadError(
        'validate',
        resolution.problem.message,
        locate({ pos: resolution.problem.pos, origin: parsed.origin }, macro.location),
        describeItem('macro', macro.name),
      );
    }
    parsed.expr = resolution.expr;
    for (const name of resolution.used) usedMacros.add(name);
    macros.set(macro.name, {
      name: macro.name,
      condition: resolution.expr,
      used: false,
      location: macro.location,
    });
  }
  const allMacros = (name: string) => parsedMacros.get(name)?.expr;

  const rules: CompiledRule[] = [];
  for (const rule of collector.rules.values()) {
    if (rule.unknownSource) continue;
    const source = sources.get(rule.source) as EventSourceDefinition;
    const label = describeItem('rule', rule.name);
    const { condition: text, fields } = withExceptions(rule.condition, rule.exceptions, label);

    let output: OutputTemplate;
    try {
      output = OutputTemplate.compile(rule.output.text, source);
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      const where = rule.output.locate(error.idx) ?? rule.location;
      if (rule.skipIfUnknownFilter && unknownFieldError.test(error.message)) {
        warn({ code: 'unknown-filter', message: error.message, location: where, item: label });
        continue;
      }
      throw new RulesLoadError('compile-output', error.message, where, label);
    }

    const parsed = parseMapped(
      rule.exceptions.length > 0 ? text : rule.condition,
      lists,
      rule.location,
      label,
      cache,
    );
    const resolution = resolveMacros(parsed.expr, allMacros);
    if (resolution.problem !== undefined) {
      throw new RulesLoadError(
        'validate',
        resolution.problem.message,
        locate({ pos: resolution.problem.pos, origin: parsed.origin }, rule.location),
        label,
      );
    }
    for (const name of resolution.used) usedMacros.add(name);
    const na = findNaComparison(resolution.expr);
    if (na !== undefined) {
      warn({
        code: 'unsafe-na-check',
        message: 'Comparing a field with <NA> is unsafe; use the exists operator.',
        location: locate(na, rule.location),
        item: label,
      });
    }

    let evaluate: Predicate;
    try {
      const compiled = compileCondition(resolution.expr, { source });
      evaluate = compiled.evaluate;
      for (const w of compiled.warnings) {
        warn({
          code: w.falcoIncompatible === true ? 'falco-incompatible' : 'compile-condition',
          message: w.message,
          location: locate(w.at, rule.location),
          item: label,
        });
      }
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      const where = error.origin?.(error.idx) ?? rule.location;
      if (rule.skipIfUnknownFilter && unknownFieldError.test(error.message)) {
        warn({ code: 'unknown-filter', message: error.message, location: where, item: label });
        continue;
      }
      throw new RulesLoadError('compile-condition', error.message, where, label);
    }

    const usedLists = new Set(parsed.lists);
    for (const name of resolution.used)
      for (const list of parsedMacros.get(name)?.lists ?? []) usedLists.add(list);
    rules.push({
      id: rules.length,
      written: (rule.exceptions.length > 0 ? text : rule.condition).text,
      macros: [...resolution.used].sort(),
      lists: [...usedLists].sort(),
      name: rule.name,
      description: rule.description,
      priority: rule.priority,
      source: rule.source,
      tags: [...rule.tags].sort(),
      enabled: rule.enabled,
      condition: resolution.expr,
      evaluate,
      output,
      exceptionFields: [...fields].sort(),
      capture: rule.capture,
      captureDuration: rule.captureDuration,
      location: rule.location,
    });
  }

  for (const macro of macros.values()) {
    macro.used = usedMacros.has(macro.name);
    if (!macro.used) {
      warn({
        code: 'unused-macro',
        message: 'Macro not referred to by any other rule/macro',
        location: macro.location,
        item: describeItem('macro', macro.name),
      });
    }
  }
  for (const list of lists.values()) {
    if (!list.used) {
      const location = (collector.lists.get(list.name) as { location: SourceLocation }).location;
      warn({
        code: 'unused-list',
        message: 'List not referred to by any other rule/macro',
        location,
        item: describeItem('list', list.name),
      });
    }
  }
  return { rules, macros, lists, warnings };
}
