import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthState {
  ok: boolean;
  detail: Record<string, unknown>;
}

/**
 * `/metrics` (Prometheus text format) and `/healthz` for the agent and the queue watcher. Health
 * means "the loop is alive", not "IMDS answers": restarting the pod would not fix IMDS, and the
 * detail says what is wrong.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: () => HealthState;
}): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': options.registry.contentType }).end(text);
        },
        (error: unknown) => {
          response.writeHead(500).end(String(error));
        },
      );
      return;
    }
    if (path === '/healthz') {
      const state = options.health();
      response
        .writeHead(state.ok ? 200 : 503, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ status: state.ok ? 'ok' : 'failing', ...state.detail }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : options.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
