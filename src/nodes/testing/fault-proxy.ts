/**
 * A small HTTP proxy in front of a real peer (ec2-metadata-mock) that injects network faults:
 * answer with an error status, reset the connection, or never answer (what a metadata hop
 * limit of 1 does to the token response on its way into a pod). Test support only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '../../core/net.js';

export type Fault = 'pass' | 'hang' | 'reset' | { status: number };

export interface FaultProxy {
  url: string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  stop: () => Promise<void>;
}

export async function startFaultProxy(options: {
  target: string;
  fault: (request: IncomingMessage, index: number) => Fault;
}): Promise<FaultProxy> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const index = requests.push(`${request.method ?? 'GET'} ${request.url ?? '/'}`) - 1;
    const fault = options.fault(request, index);
    if (fault === 'hang') return;
    if (fault === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault !== 'pass') {
      response.writeHead(fault.status).end(`injected HTTP ${fault.status}`);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && name !== 'host') headers[name] = String(value);
    }
    fetch(`${options.target}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers })
      .then(async (answer) => {
        response.writeHead(answer.status, {
          'Content-Type': answer.headers.get('content-type') ?? 'text/plain',
        });
        response.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => {
        response.writeHead(502).end();
      });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
