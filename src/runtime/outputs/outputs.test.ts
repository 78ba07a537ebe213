import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import type { Alert } from './alert.js';
import { alertJson } from './alert.js';
import { AlertStore, StoreSink } from './alert-store.js';
import { RateLimiter } from './sink.js';
import { slackSink, webhookSink } from './slack.js';

function alert(
  rule: string,
  priority: Alert['priority'],
  seconds = 1_700_000_000,
  extra: Partial<Alert> = {},
): Alert {
  const time = BigInt(seconds) * 1_000_000_000n + 123_456_789n;
  return {
    time,
    rule,
    priority,
    source: 'k8s_audit',
    hostname: 'h',
    tags: ['k8s'],
    output: `10:00:00.123456789: ${priority} something about ${rule}`,
    message: `something about ${rule}`,
    outputFields: { 'evt.time': time, 'ka.user.name': 'alice', 'ka.req.pod.containers.image': ['nginx'] },
    origin: 'chartroom',
    ...extra,
  };
}

/**
 * A stand-in for Slack's incoming webhooks (Slack itself cannot be reached from here). It checks
 * what Slack checks — POST, a JSON body, some `text` (or blocks/attachments) — and answers as Slack
 * does: `ok`, `invalid_payload`, `no_text`; it can also answer 429 with Retry-After or fail with 500.
 */
class SlackStandIn {
  received: { body: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
  /** Status codes to answer before accepting, in order. */
  failures: number[] = [];
  /** Off to act as a generic webhook receiver, which takes any JSON. */
  slackRules = true;
  server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const failure = this.failures.shift();
        if (failure !== undefined) {
          response
            .writeHead(failure, failure === 429 ? { 'retry-after': '0' } : {})
            .end(failure === 429 ? 'rate_limited' : 'oops');
          return;
        }
        if (request.method !== 'POST') return void response.writeHead(405).end('invalid_method');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return void response.writeHead(400).end('invalid_payload');
        }
        if (
          this.slackRules &&
          typeof body.text !== 'string' &&
          !Array.isArray(body.blocks) &&
          !Array.isArray(body.attachments)
        ) {
          return void response.writeHead(400).end('no_text');
        }
        this.received.push({ body, headers: request.headers });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  }
}

describe('Slack and webhook outputs', () => {
  const slack = new SlackStandIn();
  let url: string;
  beforeAll(async () => {
    url = await slack.start();
  });
  afterAll(() => slack.server.close());
  beforeEach(() => {
    slack.received = [];
    slack.failures = [];
    slack.slackRules = true;
  });

  it('post a Slack message with the alert, coloured by priority, with its fields', async () => {
    const sink = slackSink({ webhookUrl: url, minPriority: 'Warning', channel: '#security' });
    sink.deliver(alert('Create Privileged Pod', 'Warning'));
    sink.deliver(alert('K8s Secret Created', 'Informational'));
    await sink.close();
    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]?.body as {
      text: string;
      channel: string;
      attachments: { color: string; text: string; fields: { title: string; value: string }[] }[];
    };
    expect(message.text).toBe('Warning: Create Privileged Pod');
    expect(message.channel).toBe('#security');
    expect(message.attachments[0]?.text).toContain('something about Create Privileged Pod');
    expect(message.attachments[0]?.fields).toEqual(
      expect.arrayContaining([
        { title: 'rule', value: 'Create Privileged Pod', short: true },
        { title: 'ka.user.name', value: 'alice', short: true },
        { title: 'ka.req.pod.containers.image', value: '["nginx"]', short: true },
      ]),
    );
    expect(sink.stats()).toEqual({ delivered: 1, filtered: 1, suppressed: 0, dropped: 0 });
  });

  it('retry on 429 and 5xx, in order, and give up on other errors', async () => {
    slack.failures = [429, 500];
    const sink = slackSink({ webhookUrl: url, backoffMs: 5 });
    sink.deliver(alert('First', 'Error'));
    sink.deliver(alert('Second', 'Error'));
    await sink.close();
    expect(slack.received.map((r) => (r.body as { text: string }).text)).toEqual([
      'Error: First',
      'Error: Second',
    ]);
    const errors: string[] = [];
    const refused = slackSink({
      webhookUrl: `${url.replace(/\/services.*/, '')}/`,
      backoffMs: 5,
      onError: (m) => errors.push(m),
    });
    slack.failures = [404];
    refused.deliver(alert('Lost', 'Error'));
    await refused.close();
    expect(refused.stats().dropped).toBe(1);
    expect(errors[0]).toMatch(/^slack: refused: HTTP 404/);
  });

  it('rate-limit with a token bucket and say how many alerts were held back', async () => {
    let now = 0;
    const limiter = new RateLimiter(1, 2, () => now);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, false]);
    now = 1500;
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);

    const sink = slackSink({ webhookUrl: url, rate: 0.001, burst: 1 });
    for (let i = 0; i < 4; i++) sink.deliver(alert(`Noisy ${i}`, 'Warning'));
    await sink.close();
    expect(slack.received).toHaveLength(1);
    expect(sink.stats().suppressed).toBe(3);
  });

  it('sign webhook bodies (Falco JSON) with HMAC-SHA256 so receivers can verify them', async () => {
    slack.slackRules = false;
    const sink = webhookSink({ url, secret: 'shh', headers: { 'x-team': 'infra' } }, (a) => alertJson(a));
    sink.deliver(alert('Create Privileged Pod', 'Warning'));
    await sink.close();
    const [received] = slack.received;
    const body = alertJson(alert('Create Privileged Pod', 'Warning'));
    expect(received?.headers['x-chartroom-signature-256']).toBe(
      `sha256=${createHmac('sha256', 'shh').update(body).digest('hex')}`,
    );
    expect(received?.headers['x-team']).toBe('infra');
    expect(received?.body).toMatchObject({
      rule: 'Create Privileged Pod',
      priority: 'Warning',
      source: 'k8s_audit',
    });
  });
});

describe('stored alerts', () => {
  let store: Store;
  let alerts: AlertStore;
  beforeAll(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    alerts = new AlertStore(store);
    await alerts.migrate();
  });
  afterAll(async () => store.close());

  it('count alerts by rule over a window and list them with filters', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sink = new StoreSink(alerts, { batchSize: 2 });
    for (const a of [
      alert('A', 'Warning', now - 60),
      alert('A', 'Warning', now - 120),
      alert('B', 'Notice', now - 30),
      alert('A', 'Warning', now - 3 * 86_400),
      alert('Terminal shell in container', 'Notice', now - 10, {
        origin: 'falco',
        source: 'syscall',
        hostname: 'node-1',
      }),
    ]) {
      sink.deliver(a);
    }
    await sink.close();
    expect(sink.stats().delivered).toBe(5);

    const day = await alerts.countsByRule({ since: new Date(Date.now() - 86_400_000) });
    expect(day.map((c) => [c.rule, c.count, c.priority])).toEqual([
      ['A', 2, 'Warning'],
      ['B', 1, 'Notice'],
      ['Terminal shell in container', 1, 'Notice'],
    ]);
    const week = await alerts.countsByRule({ since: new Date(Date.now() - 7 * 86_400_000) });
    expect(week[0]).toMatchObject({ rule: 'A', count: 3 });

    const falco = await alerts.alerts({ since: new Date(Date.now() - 86_400_000), origin: 'falco' });
    expect(falco.map((a) => [a.rule, a.hostname, a.source])).toEqual([
      ['Terminal shell in container', 'node-1', 'syscall'],
    ]);
    const warnings = await alerts.alerts({
      since: new Date(Date.now() - 86_400_000),
      minPriority: 'Warning',
    });
    expect(warnings.map((a) => a.rule)).toEqual(['A', 'A']);
    const [newest] = await alerts.alerts({
      since: new Date(Date.now() - 86_400_000),
      rule: 'B',
      search: 'about B',
    });
    expect(newest?.time).toBe(BigInt(now - 30) * 1_000_000_000n + 123_456_789n);
    expect(newest?.outputFields['evt.time']).toBe(newest?.time);
    expect(newest?.outputFields['ka.req.pod.containers.image']).toEqual(['nginx']);
    expect(await alerts.prune(new Date(Date.now() - 86_400_000))).toBe(1);
  });
});
