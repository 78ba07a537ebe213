/**
 * The rules engine: given loaded rules, finds the rules an event matches. As in Falco, a rule sees
 * only events of its source, disabled rules and rules below the minimum priority never run, rules
 * are tried in definition order, and with `rule_matching: first` (Falco's default) only the first
 * match counts; `all` reports every match.
 */
import { RuleIndex } from '../compiler/rule-index.js';
import type { RuntimeEvent } from '../fields/types.js';
import type { CompiledRule } from '../rules/compile-rules.js';
import type { LoadedRules } from '../rules/load.js';
import { atLeast, type Priority } from '../rules/priority.js';

export type RuleMatching = 'first' | 'all';

export interface RuleSelection {
  /** Rule names or `*` wildcards to disable (Falco's rules.disable / -D). */
  disableRules?: readonly string[];
  /** Disable every rule with one of these tags (-T). */
  disableTags?: readonly string[];
  /** Enable rules by name or wildcard, even if the file disables them. */
  enableRules?: readonly string[];
  /** Run only rules with one of these tags (-t). */
  onlyTags?: readonly string[];
}

export interface EngineOptions extends RuleSelection {
  ruleMatching?: RuleMatching;
  /** Rules below this priority never run (Falco's `priority`; default: debug, i.e. all). */
  minPriority?: Priority;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether a rule runs, after the file's `enabled`, the priority floor and the user's selection. */
export function isActive(rule: CompiledRule, options: EngineOptions): boolean {
  if (options.minPriority !== undefined && !atLeast(rule.priority, options.minPriority)) return false;
  const matches = (patterns: readonly string[] | undefined) =>
    (patterns ?? []).some((p) => wildcard(p).test(rule.name));
  const tagged = (tags: readonly string[] | undefined) => (tags ?? []).some((t) => rule.tags.includes(t));
  if (options.onlyTags !== undefined && options.onlyTags.length > 0 && !tagged(options.onlyTags))
    return false;
  if (matches(options.disableRules) || tagged(options.disableTags)) return false;
  return rule.enabled || matches(options.enableRules);
}

export class Engine {
  readonly ruleMatching: RuleMatching;
  /** The rules that run, per source, in order. */
  private readonly bySource = new Map<string, RuleIndex<CompiledRule>>();
  readonly activeRules: readonly CompiledRule[];

  constructor(
    readonly rules: LoadedRules,
    options: EngineOptions = {},
  ) {
    this.ruleMatching = options.ruleMatching ?? 'first';
    this.activeRules = rules.rules.filter((rule) => isActive(rule, options));
    for (const [name, source] of rules.sources) {
      const mine = this.activeRules.filter((rule) => rule.source === name);
      if (mine.length > 0) this.bySource.set(name, new RuleIndex(mine, source));
    }
  }

  /** The fields each source's index reads to pre-select rules. */
  indexFields(source: string): string[] {
    return this.bySource.get(source)?.fields ?? [];
  }

  /** The rules the event matches: at most one with `first`. */
  match(event: RuntimeEvent): CompiledRule[] {
    const index = this.bySource.get(event.source);
    if (index === undefined) return [];
    const candidates = index.candidates(event);
    if (this.ruleMatching === 'first') {
      for (const rule of candidates) if (rule.evaluate(event)) return [rule];
      return [];
    }
    const out: CompiledRule[] = [];
    for (const rule of candidates) if (rule.evaluate(event)) out.push(rule);
    return out;
  }
}
