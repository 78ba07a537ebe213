/**
 * Indexes rules so an event is tested only against rules that can match it. Most Kubernetes audit
 * rules require specific values of a few fields (`jevt.value[/stage] in (ResponseComplete)`,
 * `ka.verb=create`, `ka.target.resource=pods`). From each rule's condition we derive, per field, the
 * set of values the rule needs (a conservative over-approximation: `and` intersects, `or` unites,
 * `not` drops), pick the fields that discriminate most rules, and at run time read those fields
 * once and look the combination up. A rule whose condition needs `ka.verb` in {create} is never
 * evaluated for a `get`.
 */
import { asString, type Expr, type FieldExpr } from '../parser/ast.js';
import type { EventSourceDefinition, Extractor, RuntimeEvent } from '../fields/types.js';
import { compileOperand } from './operands.js';

/** Field (as written) → values the rule needs it to have. */
type Constraints = Map<string, { field: FieldExpr; values: Set<string> }>;

function intersect(a: Constraints, b: Constraints): Constraints {
  const out: Constraints = new Map(a);
  for (const [key, entry] of b) {
    const mine = out.get(key);
    out.set(
      key,
      mine === undefined
        ? entry
        : { field: entry.field, values: new Set([...mine.values].filter((v) => entry.values.has(v))) },
    );
  }
  return out;
}

function unite(parts: Constraints[]): Constraints {
  const [first, ...rest] = parts;
  if (first === undefined) return new Map();
  const out: Constraints = new Map();
  for (const [key, entry] of first) {
    if (!rest.every((p) => p.has(key))) continue;
    const values = new Set(entry.values);
    for (const p of rest) for (const v of (p.get(key) as { values: Set<string> }).values) values.add(v);
    out.set(key, { field: entry.field, values });
  }
  return out;
}

/** The equality constraints a condition implies, on plain single-valued string fields. */
export function constraintsOf(expr: Expr, source: EventSourceDefinition): Constraints {
  switch (expr.kind) {
    case 'and':
      return expr.children.map((c) => constraintsOf(c, source)).reduce(intersect);
    case 'or':
      return unite(expr.children.map((c) => constraintsOf(c, source)));
    case 'binary': {
      const { left, right, op } = expr;
      if (left.kind !== 'field' || !['=', '==', 'in'].includes(op)) return new Map();
      const definition = source.field(left.field);
      if (definition === undefined || definition.list || definition.type !== 'string') return new Map();
      const values =
        right.kind === 'value' ? [right.value] : right.kind === 'list' ? right.values : undefined;
      if (values === undefined) return new Map();
      return new Map([[asString(left), { field: left, values: new Set(values) }]]);
    }
    case 'not':
    case 'unary':
    case 'identifier':
    case 'field':
    case 'transformer':
    case 'transformer_list':
    case 'value':
    case 'list':
      return new Map();
  }
}

interface IndexKey {
  extract: Extractor;
  /** value → bit mask of the rules it admits; `others` for values no rule names (and for missing). */
  masks: Map<string, Uint32Array>;
  others: Uint32Array;
}

export interface IndexedRule {
  condition: Expr;
}

const maxKeys = 3;
const cacheLimit = 10_000;

export class RuleIndex<R extends IndexedRule> {
  private readonly keys: IndexKey[] = [];
  private readonly cache = new Map<string, readonly R[]>();
  private readonly words: number;
  /** The fields the index reads, as written (for `explain`). */
  readonly fields: string[] = [];

  constructor(
    private readonly rules: readonly R[],
    source: EventSourceDefinition,
  ) {
    this.words = Math.max(1, Math.ceil(rules.length / 32));
    const perRule = rules.map((rule) => constraintsOf(rule.condition, source));
    const counts = new Map<string, { field: FieldExpr; rules: number }>();
    for (const constraints of perRule) {
      for (const [key, { field }] of constraints)
        counts.set(key, { field, rules: (counts.get(key)?.rules ?? 0) + 1 });
    }
    const chosen = [...counts.entries()]
      .filter(([, c]) => c.rules >= 2)
      .sort((a, b) => b[1].rules - a[1].rules)
      .slice(0, maxKeys);
    for (const [key, { field }] of chosen) {
      const others = new Uint32Array(this.words);
      const masks = new Map<string, Uint32Array>();
      perRule.forEach((constraints, i) => {
        const entry = constraints.get(key);
        if (entry === undefined) {
          others[i >>> 5] = (others[i >>> 5] as number) | (1 << (i & 31));
          return;
        }
        for (const value of entry.values) {
          let mask = masks.get(value);
          if (mask === undefined) masks.set(value, (mask = new Uint32Array(this.words)));
          mask[i >>> 5] = (mask[i >>> 5] as number) | (1 << (i & 31));
        }
      });
      for (const mask of masks.values())
        for (let w = 0; w < this.words; w++) mask[w] = (mask[w] as number) | (others[w] as number);
      this.keys.push({ extract: compileOperand(field, { source }).extract, masks, others });
      this.fields.push(key);
    }
  }

  /** The rules that may match the event, in rule order. */
  candidates(event: RuntimeEvent): readonly R[] {
    const keys = this.keys;
    if (keys.length === 0) return this.rules;
    let cacheKey = '';
    for (const key of keys) {
      const value = key.extract(event);
      cacheKey += typeof value === 'string' && key.masks.has(value) ? `${value}\u0000` : '\u0001';
    }
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const combined = new Uint32Array(this.words).fill(0xffffffff);
    for (const key of keys) {
      const value = key.extract(event);
      const mask = (typeof value === 'string' ? key.masks.get(value) : undefined) ?? key.others;
      for (let w = 0; w < this.words; w++) combined[w] = (combined[w] as number) & (mask[w] as number);
    }
    const selected = this.rules.filter((_, i) => ((combined[i >>> 5] as number) & (1 << (i & 31))) !== 0);
    if (this.cache.size >= cacheLimit) this.cache.clear();
    this.cache.set(cacheKey, selected);
    return selected;
  }
}
