/**
 * `chartroom runtime explain RULE`: what a rule really tests — its condition as written, fully
 * expanded (lists, macros, exceptions), laid out one clause per line, with the macros, lists and
 * fields involved and the field values the engine's index pre-selects it on.
 */
import { NotFoundError } from '../../core/errors.js';
import { constraintsOf } from '../compiler/rule-index.js';
import { asString, type Expr } from '../parser/ast.js';
import { formatLocation } from '../rules/diagnostics.js';
import type { CompiledRule } from '../rules/compile-rules.js';
import type { LoadedRules } from '../rules/load.js';
import type { Priority } from '../rules/priority.js';

export interface RuleExplanation {
  name: string;
  description: string;
  source: string;
  priority: Priority;
  enabled: boolean;
  tags: string[];
  location: string;
  output: string;
  condition: string;
  expanded: string;
  /** The expanded condition, one clause per line. */
  layout: string;
  macros: string[];
  lists: string[];
  fields: string[];
  exceptionFields: string[];
  /** Field → the values the rule needs it to have (what the index can pre-select on). */
  requires: Record<string, string[]>;
}

function unwrap(text: string): string {
  return text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
}

/** Lays a condition out over lines no wider than `width` where possible. */
export function layoutCondition(expr: Expr, width = 100): string[] {
  const flat = asString(expr);
  if (flat.length <= width) return [unwrap(flat)];
  const indent = (lines: string[]) => lines.map((line) => `    ${line}`);
  const grouped = (child: Expr, room: number) => {
    const lines = layoutCondition(child, room);
    if (child.kind !== 'and' && child.kind !== 'or') return lines;
    if (lines.length === 1) return [`(${lines[0] as string})`];
    return [`( ${(lines[0] as string).trimStart()}`, ...lines.slice(1, -1), `${lines.at(-1) as string})`];
  };
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const lines: string[] = [];
      expr.children.forEach((child, i) => {
        const inner = grouped(child, width - 4);
        const prefix = i === 0 ? '    ' : `${expr.kind} `.padEnd(4);
        lines.push(`${prefix}${inner[0] as string}`, ...indent(inner.slice(1)));
      });
      return lines;
    }
    case 'not': {
      const inner = grouped(expr.child, width - 4);
      return [`not ${inner[0] as string}`, ...indent(inner.slice(1))];
    }
    case 'identifier':
    case 'value':
    case 'list':
    case 'transformer_list':
    case 'field':
    case 'transformer':
    case 'unary':
    case 'binary':
      return [flat];
  }
}

function fieldsOf(expr: Expr, into: Set<string>): Set<string> {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      for (const child of expr.children) fieldsOf(child, into);
      break;
    case 'not':
      fieldsOf(expr.child, into);
      break;
    case 'transformer':
      for (const value of expr.values) fieldsOf(value, into);
      break;
    case 'unary':
      fieldsOf(expr.left, into);
      break;
    case 'binary':
      fieldsOf(expr.left, into);
      fieldsOf(expr.right, into);
      break;
    case 'field':
      into.add(asString(expr));
      break;
    case 'identifier':
    case 'value':
    case 'list':
      break;
  }
  return into;
}

export function findRule(rules: LoadedRules, name: string): CompiledRule {
  const rule =
    rules.rules.find((r) => r.name === name) ??
    rules.rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (rule !== undefined) return rule;
  const near = rules.rules
    .filter((r) => r.name.toLowerCase().includes(name.toLowerCase()))
    .map((r) => r.name);
  throw new NotFoundError(
    `no rule named '${name}' in ${rules.files.join(', ')}`,
    near.length > 0
      ? `Did you mean: ${near.slice(0, 5).join('; ')}?`
      : 'Run `chartroom runtime validate` to list the rules.',
  );
}

export function explainRule(rules: LoadedRules, name: string): RuleExplanation {
  const rule = findRule(rules, name);
  const source = rules.sources.get(rule.source);
  const requires: Record<string, string[]> = {};
  if (source !== undefined) {
    for (const [field, { values }] of constraintsOf(rule.condition, source))
      requires[field] = [...values].sort();
  }
  return {
    name: rule.name,
    description: rule.description,
    source: rule.source,
    priority: rule.priority,
    enabled: rule.enabled,
    tags: rule.tags,
    location: formatLocation(rule.location),
    output: rule.output.format,
    condition: rule.written.trim(),
    expanded: unwrap(asString(rule.condition)),
    layout: layoutCondition(rule.condition).join('\n'),
    macros: rule.macros,
    lists: rule.lists,
    fields: [...fieldsOf(rule.condition, new Set())].sort(),
    exceptionFields: rule.exceptionFields,
    requires,
  };
}
