/**
 * Runs rules test cases: loads the case's rules, replays its events, and compares the alert counts
 * per rule with the expectation. A case that fails to load its rules fails with that error; the
 * other cases still run.
 */
import { readFile } from 'node:fs/promises';
import { toChartroomError } from '../../core/errors.js';
import { compileRuntimeRules, Runtime, type ContextRules } from '../engine/runtime.js';
import { auditEventsOf } from '../inputs/audit-events.js';
import { readJsonlEvents } from '../inputs/jsonl.js';
import type { RulesFile } from '../rules/load.js';
import type { RulesSourceSpec, TestCase, TestSpec } from './spec.js';

export interface CaseOutcome {
  name: string;
  passed: boolean;
  /** Alerts per rule. */
  counts: Record<string, number>;
  /** What differs from the expectation, one line each. */
  problems: string[];
  /** Events that could not be used (bad JSON, not an audit event, no stageTimestamp…). */
  eventErrors: string[];
}

export interface RunOptions {
  signal?: AbortSignal;
  hostname?: string;
  /** Rules file contents by path, shared between cases. */
  fileCache?: Map<string, Promise<string>>;
  /** Loaded rules by their list of sources: cases with the same rules load them once. */
  rulesCache?: Map<string, ContextRules>;
}

async function rulesFiles(
  sources: readonly RulesSourceSpec[],
  cache: Map<string, Promise<string>>,
): Promise<RulesFile[]> {
  return Promise.all(
    sources.map(async (source, i) => {
      if (typeof source !== 'string')
        return { name: source.name ?? `inline rules #${i + 1}`, content: source.inline };
      let content = cache.get(source);
      if (content === undefined) cache.set(source, (content = readFile(source, 'utf8')));
      return { name: source, content: await content };
    }),
  );
}

export async function runTestCase(test: TestCase, options: RunOptions = {}): Promise<CaseOutcome> {
  const counts: Record<string, number> = {};
  const eventErrors: string[] = [];
  const problems: string[] = [];
  let runtime: Runtime;
  try {
    const key = JSON.stringify(test.rules);
    let loaded = options.rulesCache?.get(key);
    if (loaded === undefined) {
      const files = await rulesFiles(test.rules, options.fileCache ?? new Map<string, Promise<string>>());
      loaded = compileRuntimeRules(
        files,
        options.hostname === undefined ? {} : { hostname: options.hostname },
      );
      options.rulesCache?.set(key, loaded);
    }
    runtime = new Runtime(loaded, { ruleMatching: test.ruleMatching });
  } catch (error) {
    const failure = toChartroomError(error);
    return {
      name: test.name,
      passed: false,
      counts,
      problems: [`rules did not load: ${failure.message}`],
      eventErrors,
    };
  }
  const count = (rule: string) => {
    counts[rule] = (counts[rule] ?? 0) + 1;
  };
  for (const source of test.events) {
    if (typeof source !== 'string') {
      for (const parsed of auditEventsOf(source)) {
        if ('error' in parsed) eventErrors.push(`inline event: ${parsed.error}`);
        else for (const alert of runtime.process(parsed.event)) count(alert.rule);
      }
      continue;
    }
    for await (const { file, line, parsed } of readJsonlEvents(
      source,
      options.signal === undefined ? {} : { signal: options.signal },
    )) {
      if ('error' in parsed) eventErrors.push(`${file}:${line}: ${parsed.error}`);
      else for (const alert of runtime.process(parsed.event)) count(alert.rule);
    }
  }
  for (const [rule, expected] of Object.entries(test.expect)) {
    const actual = counts[rule] ?? 0;
    if (actual !== expected) problems.push(`${rule}: expected ${expected} alert(s), got ${actual}`);
    if (!runtime.rules.rules.some((r) => r.name === rule))
      problems.push(`${rule}: no rule by that name is loaded`);
  }
  if (test.otherRules === 'forbid') {
    for (const [rule, actual] of Object.entries(counts)) {
      if (!(rule in test.expect)) problems.push(`${rule}: expected no alert, got ${actual}`);
    }
  }
  for (const expected of test.errors) {
    if (!eventErrors.some((e) => e.includes(expected)))
      problems.push(`expected an event error containing "${expected}"`);
  }
  if (test.errors.length === 0)
    for (const error of eventErrors) problems.push(`unexpected event error: ${error}`);
  return { name: test.name, passed: problems.length === 0, counts, problems, eventErrors };
}

export async function runTestSpec(spec: TestSpec, options: RunOptions = {}): Promise<CaseOutcome[]> {
  const shared = {
    ...options,
    fileCache: options.fileCache ?? new Map<string, Promise<string>>(),
    rulesCache: options.rulesCache ?? new Map<string, ContextRules>(),
  };
  const outcomes: CaseOutcome[] = [];
  for (const test of spec.cases) {
    options.signal?.throwIfAborted();
    outcomes.push(await runTestCase(test, shared));
  }
  return outcomes;
}
