import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { compileRuntimeRules } from '../engine/runtime.js';
import { k8sAuditSourceName } from '../fields/sources.js';
import type { RuntimeEvent } from '../fields/types.js';
import { falcoFixture } from '../testing/fixtures.js';

const traces = falcoFixture('legacy-suite/trace_files/k8s_audit');

function traceEvents(): Record<string, unknown>[] {
  return readdirSync(traces)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readFileSync(`${traces}/${f}`, 'utf8').split('\n'))
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((event) => event.kind === 'Event');
}

/** The trace events, and variants of each with other stages, verbs and resources (known and unknown). */
function* variants(): Generator<RuntimeEvent> {
  let num = 0;
  for (const event of traceEvents()) {
    const objectRef = (event.objectRef ?? {}) as Record<string, unknown>;
    for (const stage of [event.stage, 'ResponseStarted'])
      for (const verb of [event.verb, 'create', 'delete', 'get', 'patch', 'no-such-verb'])
        for (const resource of [objectRef.resource, 'pods', 'secrets', 'clusterrolebindings', 'widgets']) {
          const data = { ...event, stage, verb, objectRef: { ...objectRef, resource } };
          yield { source: k8sAuditSourceName, data, ts: 1_540_475_929_730_588_000n, num: ++num };
        }
  }
}

describe('rule index', () => {
  it('selects every rule that matches, for the official rules over varied events', () => {
    const { rules } = compileRuntimeRules(
      [
        {
          name: 'k8s_audit_rules.yaml',
          content: readFileSync(falcoFixture('rules/k8s_audit_rules.yaml'), 'utf8'),
        },
      ],
      { hostname: 'test' },
    );
    const engine = new Engine(rules, { ruleMatching: 'all' });
    expect(engine.indexFields(k8sAuditSourceName).length).toBeGreaterThan(0);
    let events = 0;
    let matched = 0;
    for (const event of variants()) {
      const expected = engine.activeRules.filter((rule) => rule.evaluate(event)).map((rule) => rule.name);
      expect(engine.match(event).map((rule) => rule.name)).toEqual(expected);
      events++;
      matched += expected.length;
    }
    // The comparison saw real matches, not only events no rule wants.
    expect(events).toBeGreaterThan(2000);
    expect(matched).toBeGreaterThan(500);
  });

  it('leaves out a key whose values would make the table too large, and still matches', () => {
    const many = (prefix: string) => Array.from({ length: 300 }, (_, i) => `${prefix}${i}`).join(', ');
    const rule = (name: string, condition: string) =>
      `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: NOTICE\n  source: k8s_audit\n`;
    const content = [
      rule('A', `ka.verb in (${many('v')}) and ka.target.resource in (${many('r')})`),
      rule('B', `ka.verb in (${many('w')}) and ka.target.resource in (${many('s')})`),
    ].join('');
    const { rules } = compileRuntimeRules([{ name: 'many.yaml', content }], { hostname: 'test' });
    const engine = new Engine(rules, { ruleMatching: 'all' });
    expect(engine.indexFields(k8sAuditSourceName)).toHaveLength(1);
    const event = (verb: string, resource: string): RuntimeEvent => ({
      source: k8sAuditSourceName,
      data: { kind: 'Event', auditID: 'x', verb, objectRef: { resource } },
      ts: 0n,
      num: 1,
    });
    expect(engine.match(event('v7', 'r299')).map((r) => r.name)).toEqual(['A']);
    expect(engine.match(event('w299', 's0')).map((r) => r.name)).toEqual(['B']);
    expect(engine.match(event('v7', 's0'))).toEqual([]);
  });
});
