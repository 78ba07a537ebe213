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
  /** Value → its bucket, 1…n; 0 for values no rule names (and for a missing field). */
  buckets: Map<string, number>;
  /** Bit mask of the rules each bucket admits. */
  masks: Uint32Array[];
}

export interface IndexedRule {
  condition: Expr;
}

const maxKeys = 3;
/**
 * The candidate lists are kept in an array with one slot per combination of buckets; a key that
 * would push the number of slots past this is left out (rules with long `in` lists on several
 * fields), so the table stays small whatever the rules file.
 */
const maxCombinations = 1 << 16;

export class RuleIndex<R extends IndexedRule> {
  private readonly keys: IndexKey[] = [];
  /** Candidate lists by combination of buckets, filled on first use. */
  private readonly combinations: (readonly R[] | undefined)[];
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
      .sort((a, b) => b[1].rules - a[1].rules);
    let slots = 1;
    for (const [key, { field }] of chosen) {
      if (this.keys.length === maxKeys) break;
      const others = new Uint32Array(this.words);
      const buckets = new Map<string, number>();
      const masks: Uint32Array[] = [others];
      perRule.forEach((constraints, i) => {
        const entry = constraints.get(key);
        if (entry === undefined) {
          others[i >>> 5] = (others[i >>> 5] as number) | (1 << (i & 31));
          return;
        }
        for (const value of entry.values) {
          let bucket = buckets.get(value);
          if (bucket === undefined) {
            bucket = masks.length;
            buckets.set(value, bucket);
            masks.push(new Uint32Array(this.words));
          }
          const mask = masks[bucket] as Uint32Array;
          mask[i >>> 5] = (mask[i >>> 5] as number) | (1 << (i & 31));
        }
      });
      if (slots * masks.length > maxCombinations) continue;
      slots *= masks.length;
      // A rule that does not constrain this field is admitted by every value of it.
      for (const mask of masks.slice(1))
        for (let w = 0; w < this.words; w++) mask[w] = (mask[w] as number) | (others[w] as number);
      this.keys.push({ extract: compileOperand(field, { source }).extract, buckets, masks });
      this.fields.push(key);
    }
    this.combinations = new Array<readonly R[] | undefined>(slots);
  }

  /** The rules that may match the event, in rule order. */
  candidates(event: RuntimeEvent): readonly R[] {
    const keys = this.keys;
    if (keys.length === 0) return this.rules;
    let combination = 0;
    for (const key of keys) {
      const value = key.extract(event);
      combination =
        combination * key.masks.length + (typeof value === 'string' ? (key.buckets.get(value) ?? 0) : 0);
    }
    return this.combinations[combination] ?? this.fill(combination);
  }

  private fill(combination: number): readonly R[] {
    const combined = new Uint32Array(this.words).fill(0xffffffff);
    let rest = combination;
    for (let k = this.keys.length - 1; k >= 0; k--) {
      const key = this.keys[k] as IndexKey;
      const mask = key.masks[rest % key.masks.length] as Uint32Array;
      rest = Math.floor(rest / key.masks.length);
      for (let w = 0; w < this.words; w++) combined[w] = (combined[w] as number) & (mask[w] as number);
    }
    const selected = this.rules.filter((_, i) => ((combined[i >>> 5] as number) & (1 << (i & 31))) !== 0);
    this.combinations[combination] = selected;
    return selected;
  }
}
