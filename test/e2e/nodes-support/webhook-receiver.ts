import { createServer } from 'node:http';
import { freePort } from '../../../src/core/net.js';

/** Collects what the agent posts to its Slack-style webhook. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  bodies: unknown[];
  stop: () => Promise<void>;
}> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200).end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/slack`,
    bodies,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
