import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../engine/runtime.js';
import { parseAuditPayload } from '../inputs/audit-events.js';
import { falcoFixture } from '../testing/fixtures.js';
import { alertJson, alertText } from './alert.js';
import { stringifyFalcoJson } from './falco-json.js';

async function alertsFor(trace: string, options: { timeFormatIso8601?: boolean } = {}) {
  const runtime = await Runtime.fromFiles([falcoFixture('rules/k8s_audit_rules.yaml')], {
    hostname: 'node-1',
    ...options,
  });
  const text = readFileSync(falcoFixture('legacy-suite/trace_files/k8s_audit', `${trace}.json`), 'utf8');
  return parseAuditPayload(text.trim()).flatMap((p) => ('event' in p ? runtime.process(p.event) : []));
}

describe('alerts as Falco prints them', () => {
  it('text: time, priority, then the rule output with <NA> for missing fields and (a,b) for lists', async () => {
    const [alert] = await alertsFor('create_nginx_pod_privileged');
    if (alert === undefined) throw new Error('no alert');
    expect(alert.rule).toBe('Create Privileged Pod');
    expect(alertText(alert)).toMatch(
      /^\d{2}:\d{2}:\d{2}\.\d{9}: Warning Pod started with privileged container \(user=system:serviceaccount:kube-system:replicaset-controller pod=nginx-deployment-5cdcc99dbf-\w+ resource=pods ns=default images=\(nginx\) init_images=<NA> ephemeral_images=<NA>\)$/,
    );
    const [iso] = await alertsFor('create_nginx_pod_privileged', { timeFormatIso8601: true });
    expect(iso?.output.startsWith('2018-10-25T14:09:12.')).toBe(true);
    expect(iso?.output).toMatch(/^2018-10-25T14:09:12\.\d{9}\+0000: Warning /);
  });

  it('JSON: sorted keys, nanosecond time, typed output_fields', async () => {
    const [alert] = await alertsFor('exec_pod');
    if (alert === undefined) throw new Error('no alert');
    const json = alertJson(alert);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'hostname',
      'output',
      'output_fields',
      'priority',
      'rule',
      'source',
      'tags',
      'time',
    ]);
    expect(parsed).toMatchObject({
      hostname: 'node-1',
      priority: 'Notice',
      rule: 'Attach/Exec Pod',
      source: 'k8s_audit',
      tags: ['k8s'],
      time: '2018-10-26T13:38:34.902914000Z',
    });
    const fields = parsed.output_fields as Record<string, unknown>;
    expect(Object.keys(fields)).toEqual([...Object.keys(fields)].sort());
    expect(fields).toMatchObject({
      'ka.uri.param[command]': 'bash',
      'ka.target.subresource': 'exec',
      'ka.user.name': 'minikube-user',
    });
    // 64-bit nanoseconds, written in full (a double would round it).
    expect(json).toContain('"evt.time":1540561114902914000');
  });

  it('escapes control characters in text lines and replaces broken UTF-16', () => {
    expect(stringifyFalcoJson({ b: 'x\n\u0001"y', a: 12345678901234567890n, c: ['\ud800'], d: null })).toBe(
      '{"a":12345678901234567890,"b":"x\\n\\u0001\\"y","c":["\uFFFD"],"d":null}',
    );
  });
});
