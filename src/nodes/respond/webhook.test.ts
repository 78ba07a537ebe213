import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../core/net.js';
import { render, validateTemplate, WebhookNotifier, type WebhookMessage } from './webhook.js';

const message: WebhookMessage = {
  EventID: 'spot-terminate',
  Kind: 'spot-interruption',
  InstanceID: 'i-1',
  NodeName: 'n1',
  Description: 'say "hi"\nnow',
  StartTime: '2026-01-01T00:00:00Z',
  Action: 'drain',
  Message: 'node n1 "drained"',
};

describe('webhook messages', () => {
  it('fills placeholders JSON-escaped, and refuses unknown fields or non-JSON templates', () => {
    expect(
      JSON.parse(render('{"text":"{{ .Message }} on {{.NodeName}}","d":"{{ .Description }}"}', message)),
    ).toEqual({
      text: 'node n1 "drained" on n1',
      d: 'say "hi"\nnow',
    });
    expect(() => {
      validateTemplate('{"text":"{{ .Bogus }}"}');
    }).toThrow(/unknown field \.Bogus/);
    expect(() => {
      validateTemplate('{"text": {{ .Message }}}');
    }).toThrow(/not JSON/);
  });

  it('posts with headers, retries 5xx, and reports a failure instead of throwing', async () => {
    const bodies: string[] = [];
    const headers: string[] = [];
    let calls = 0;
    const server = createServer((request, response) => {
      calls += 1;
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        headers.push(String(request.headers.authorization));
        response.writeHead(calls === 1 ? 503 : 200).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const notifier = new WebhookNotifier({
        url: `http://127.0.0.1:${port}/hook`,
        headers: { Authorization: 'Bearer x' },
      });
      expect(await notifier.send(message)).toEqual({ ok: true });
      expect(calls).toBe(2);
      expect(JSON.parse(bodies[1] ?? '')).toEqual({ text: 'node n1 "drained"' });
      expect(headers[1]).toBe('Bearer x');
      const dead = new WebhookNotifier({ url: 'http://127.0.0.1:9/hook', attempts: 2 });
      const result = await dead.send(message);
      expect(result.ok).toBe(false);
    } finally {
      server.close();
    }
  });
});
