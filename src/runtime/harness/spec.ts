/**
 * The rules test file of `chartroom runtime test`: rules, events and the alert counts expected per
 * rule — the offline rules test harness that Falco users write by hand around `falco -r … -e …`.
 *
 * ```yaml
 * rules: [../rules/k8s_audit_rules.yaml]      # loaded for every case, in order
 * rule_matching: first                       # or all
 * cases:
 *   - name: privileged pod
 *     rules: [overrides/trust-nginx.yaml]     # extra files for this case (or {inline: "…"})
 *     events: traces/privileged-pod.jsonl     # JSONL file(s), or inline audit events
 *     expect: {Create Privileged Pod: 1}      # or `none`
 *     other_rules: forbid                     # default: any rule not listed must not fire
 *     errors: [data not recognized]           # expected event errors (substrings)
 * ```
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { RuleMatching } from '../engine/engine.js';

const rulesEntry = z.union([
  z.string().min(1),
  z.object({ inline: z.string(), name: z.string().optional() }).strict(),
]);
const eventsEntry = z.union([
  z.string().min(1),
  z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])),
]);

const caseSchema = z
  .object({
    name: z.string().min(1),
    rules: z.array(rulesEntry).optional(),
    events: eventsEntry,
    expect: z.union([z.literal('none'), z.record(z.string(), z.number().int().nonnegative())]),
    other_rules: z.enum(['forbid', 'ignore']).optional(),
    errors: z.array(z.string()).optional(),
    rule_matching: z.enum(['first', 'all']).optional(),
  })
  .strict();

const specSchema = z
  .object({
    rules: z.array(rulesEntry).default([]),
    rule_matching: z.enum(['first', 'all']).optional(),
    cases: z.array(caseSchema).min(1),
  })
  .strict();

export type RulesSourceSpec = string | { inline: string; name?: string };

export interface TestCase {
  name: string;
  /** Rules files (absolute paths) or inline rules, shared ones first. */
  rules: RulesSourceSpec[];
  /** JSONL paths (absolute) and inline audit events, in order. */
  events: (string | Record<string, unknown>)[];
  expect: Record<string, number>;
  otherRules: 'forbid' | 'ignore';
  errors: string[];
  ruleMatching: RuleMatching;
}

export interface TestSpec {
  file: string;
  cases: TestCase[];
}

/** Parses a test file; relative paths are relative to the file. */
export function parseTestSpec(text: string, file: string): TestSpec {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file}: not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`,
      'Fix the YAML syntax.',
    );
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new ConfigError(
      `${file}: invalid test file at ${where || '(top)'}: ${issue?.message ?? 'invalid'}`,
      'A test file has `rules`, optional `rule_matching`, and `cases` with name, events and expect.',
    );
  }
  const base = dirname(file);
  const path = (entry: RulesSourceSpec): RulesSourceSpec =>
    typeof entry === 'string' ? resolve(base, entry) : entry;
  const spec = parsed.data;
  return {
    file,
    cases: spec.cases.map((c) => ({
      name: c.name,
      rules: [...spec.rules, ...(c.rules ?? [])].map(path),
      events: (typeof c.events === 'string' ? [c.events] : c.events).map((e) =>
        typeof e === 'string' ? resolve(base, e) : e,
      ),
      expect: c.expect === 'none' ? {} : c.expect,
      otherRules: c.other_rules ?? 'forbid',
      errors: c.errors ?? [],
      ruleMatching: c.rule_matching ?? spec.rule_matching ?? 'first',
    })),
  };
}

export async function readTestSpec(file: string): Promise<TestSpec> {
  return parseTestSpec(await readFile(file, 'utf8'), file);
}
