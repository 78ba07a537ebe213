import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertPipeline } from '../engine/pipeline.js';
import { Runtime } from '../engine/runtime.js';
import type { Alert } from '../outputs/alert.js';
import type { AlertSink } from '../outputs/sink.js';
import { falcoFixture } from '../testing/fixtures.js';
import { makeTestPki, type TestPki } from '../testing/tls.js';
import { startReceiver, type Receiver } from './receiver.js';

class MemorySink implements AlertSink {
  readonly name = 'memory';
  alerts: Alert[] = [];
  deliver(alert: Alert): void {
    this.alerts.push(alert);
  }
  async close(): Promise<void> {}
  stats() {
    return { delivered: this.alerts.length, filtered: 0, suppressed: 0, dropped: 0 };
  }
}

const trace = (name: string) =>
  JSON.parse(
    readFileSync(falcoFixture('legacy-suite/trace_files/k8s_audit', `${name}.json`), 'utf8').split(
      '\n',
    )[0] as string,
  ) as object;

const token = 'test-token-1234';

describe('the audit webhook and Falco alert intake', () => {
  let receiver: Receiver;
  const sink = new MemorySink();

  beforeAll(async () => {
    const runtime = await Runtime.fromFiles([falcoFixture('rules/k8s_audit_rules.yaml')], {
      hostname: 'receiver',
    });
    receiver = await startReceiver({
      host: '127.0.0.1',
      port: 0,
      pipeline: new AlertPipeline(runtime, [sink]),
      token,
      maxBatchSize: 64 * 1024,
      maxEventSize: 16 * 1024,
    });
  });
  afterAll(async () => receiver.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it('takes an EventList from the apiserver and raises the matching alerts', async () => {
    sink.alerts = [];
    const list = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [trace('create_nginx_pod_privileged'), trace('exec_pod'), trace('attach_cluster_admin_role')],
    };
    const response = await post('/k8s-audit', JSON.stringify(list));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ events: 3, alerts: 3, errors: [] });
    expect(sink.alerts.map((a) => a.rule)).toEqual([
      'Create Privileged Pod',
      'Attach/Exec Pod',
      'Attach to cluster-admin Role',
    ]);
    expect(sink.alerts[1]?.outputFields['ka.uri.param[command]']).toBe('bash');
  });

  it('takes single events and arrays too', async () => {
    sink.alerts = [];
    expect((await post('/k8s-audit', JSON.stringify(trace('exec_pod')))).status).toBe(200);
    expect(
      (
        await post(
          '/k8s-audit',
          JSON.stringify([trace('exec_pod'), { kind: 'EventList', items: [trace('attach_pod')] }]),
        )
      ).status,
    ).toBe(200);
    expect(sink.alerts).toHaveLength(3);
  });

  it('refuses what the k8saudit plugin refuses', async () => {
    const wrongType = await post('/k8s-audit', JSON.stringify(trace('exec_pod')), {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toBe('wrong Content Type\n');
    const notAudit = await post('/k8s-audit', '{"kind": 0}');
    expect(notAudit.status).toBe(400);
    expect(await notAudit.text()).toContain('data not recognized as a k8s audit event');
    expect(
      (await fetch(`${receiver.url}/k8s-audit`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(405);
    const tooBig = await post(
      '/k8s-audit',
      JSON.stringify({
        kind: 'EventList',
        items: Array.from({ length: 60 }, () => trace('create_nginx_pod_privileged')),
      }),
    );
    expect(tooBig.status).toBe(413);
    const bigEvent = { ...trace('exec_pod'), padding: 'x'.repeat(20 * 1024) };
    const dropped = await post('/k8s-audit', JSON.stringify(bigEvent));
    expect(dropped.status).toBe(200);
    expect(((await dropped.json()) as { errors: string[] }).errors[0]).toMatch(
      /^event larger than maxEventSize: size=2\d{4}$/,
    );
  });

  it('requires the bearer token', async () => {
    const none = await post('/k8s-audit', JSON.stringify(trace('exec_pod')), { authorization: '' });
    expect(none.status).toBe(401);
    const wrong = await post('/', '{}', { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('takes Falco JSON alerts like falcosidekick, keeping 64-bit numbers exact', async () => {
    sink.alerts = [];
    const alert =
      '{"hostname":"node-7","output":"13:44:05.478445995: Critical Shell spawned (proc.name=sh)","output_fields":{"evt.time":1685022245478445995,"proc.name":"sh","proc.pid":4242,"container.id":null},"priority":"Critical","rule":"Terminal shell in container","source":"syscall","tags":["shell","container"],"time":"2023-05-25T13:44:05.478445995Z"}';
    const response = await post('/', alert);
    expect(response.status).toBe(200);
    const received = sink.alerts[0];
    expect(received).toMatchObject({
      rule: 'Terminal shell in container',
      priority: 'Critical',
      hostname: 'node-7',
      origin: 'falco',
      tags: ['container', 'shell'],
    });
    expect(received?.outputFields['evt.time']).toBe(1685022245478445995n);
    expect(received?.outputFields['container.id']).toBeNull();
    expect(received?.time).toBe(1685022245478445995n);
    expect(received?.message).toBe('Shell spawned (proc.name=sh)');

    const noFields = await post(
      '/falco',
      '{"priority":"Error","rule":"x","time":"2023-05-25T13:44:05Z","output_fields":{}}',
    );
    expect(noFields.status).toBe(400);
    expect(await noFields.text()).toBe('Please send a valid request body\n');
    expect(
      (
        await post(
          '/',
          '{"priority":"Loud","rule":"x","time":"2023-05-25T13:44:05Z","output_fields":{"a":1}}',
        )
      ).status,
    ).toBe(400);
    expect((await post('/', 'not json')).status).toBe(400);
    expect(await (await fetch(`${receiver.url}/ping`)).text()).toBe('pong\n');
  });
});

describe('the intake over TLS with client certificates', () => {
  let pki: TestPki;
  let receiver: Receiver;
  const sink = new MemorySink();

  beforeAll(async () => {
    pki = await makeTestPki();
    receiver = await startReceiver({
      host: '127.0.0.1',
      port: 0,
      pipeline: new AlertPipeline(undefined, [sink]),
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert },
    });
  });
  afterAll(async () => {
    await receiver.close();
    await rm(pki.dir, { recursive: true, force: true });
  });

  async function postTls(client: { cert: string; key: string } | undefined): Promise<number> {
    const body = '{"priority":"Warning","rule":"r","time":"2024-01-01T00:00:00Z","output_fields":{"a":"b"}}';
    const url = new URL(`${receiver.url}/`);
    const ca = await readFile(pki.caCert);
    const cert = client === undefined ? undefined : await readFile(client.cert);
    const key = client === undefined ? undefined : await readFile(client.key);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          ca,
          ...(cert === undefined ? {} : { cert, key }),
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('accepts a client certificate from the configured CA, and nothing else', async () => {
    expect(receiver.url.startsWith('https://')).toBe(true);
    expect(await postTls({ cert: pki.clientCert, key: pki.clientKey })).toBe(200);
    expect(await postTls(undefined)).toBe(401);
    expect(await postTls({ cert: pki.strangerCert, key: pki.strangerKey })).toBe(401);
    expect(sink.alerts).toHaveLength(1);
  });
});
