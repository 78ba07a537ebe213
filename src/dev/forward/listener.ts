/**
 * One dependency on 127.0.0.1: a TCP listener whose every connection becomes a port-forward to
 * the pod that serves the Service port now. Connections are independent, so a pod that restarts
 * only breaks the connections it had; the next one goes to whichever pod is ready (after waiting
 * for one, up to a limit), and a pod that refuses the forward is skipped for the next try.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { openPortForward, type KubeClient } from '../../kube/index.js';
import type { ForwardTarget } from '../deps.js';
import type { EndpointTracker } from './endpoints.js';

export type ForwardEvent =
  { type: 'backend'; key: string; pod: string } | { type: 'connection-failed'; key: string; message: string };

export interface LocalForwardOptions {
  kube: KubeClient;
  target: ForwardTarget;
  tracker: EndpointTracker;
  /** Try this local port first (the Service's own port, or `--local-port`); else any free one. */
  preferredPort: number | undefined;
  /** `--local-port` given: a busy port is an error, not a fallback. */
  strictPort?: boolean;
  /** How long a connection waits for a ready pod. */
  waitForPodMs?: number;
  onEvent?: (event: ForwardEvent) => void;
}

const attempts = 3;

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export class LocalForward {
  readonly target: ForwardTarget;
  private readonly options: LocalForwardOptions;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private lastPod: string | undefined;
  private lastFailureAt = 0;
  port = 0;
  connections = 0;

  constructor(options: LocalForwardOptions) {
    this.options = options;
    this.target = options.target;
    // Half-open: a client may shut down its sending side and still wait for the answer.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      this.accept(socket);
    });
  }

  async listen(): Promise<number> {
    const preferred = this.options.preferredPort;
    if (preferred !== undefined) {
      try {
        this.port = await listen(this.server, preferred);
        return this.port;
      } catch (error) {
        if (this.options.strictPort === true) throw error;
      }
    }
    this.port = await listen(this.server, 0);
    return this.port;
  }

  private query() {
    return {
      service: this.target.service.name,
      portName: this.target.port.name,
      ...(this.target.podHostname === undefined ? {} : { podHostname: this.target.podHostname }),
    };
  }

  private report(message: string): void {
    // One report per few seconds: a client retrying in a loop should not flood the terminal.
    const now = Date.now();
    if (now - this.lastFailureAt < 5000) return;
    this.lastFailureAt = now;
    this.options.onEvent?.({ type: 'connection-failed', key: this.target.key, message });
  }

  private accept(socket: net.Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    this.connect().then(
      (remote) => {
        if (socket.destroyed) {
          remote.destroy();
          return;
        }
        splice(socket, remote);
        socket.resume();
      },
      (error: unknown) => {
        this.report(error instanceof Error ? error.message : String(error));
        socket.destroy();
      },
    );
  }

  private async connect(): Promise<Duplex> {
    const { tracker, kube } = this.options;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const backend = await tracker.waitFor(this.query(), { timeoutMs: this.options.waitForPodMs ?? 30_000 });
      if (backend === undefined) {
        throw new Error(
          `${this.target.service.namespace}/${this.target.service.name}:${this.target.port.port} has no ready pod`,
        );
      }
      if (backend.pod !== this.lastPod) {
        this.lastPod = backend.pod;
        this.options.onEvent?.({ type: 'backend', key: this.target.key, pod: backend.pod });
      }
      try {
        return await openPortForward(kube, {
          namespace: this.target.service.namespace,
          pod: backend.pod,
          port: backend.port,
        });
      } catch (error) {
        lastError = error;
        const status = (error as { status?: number }).status;
        // Gone or not running (a restart under way): try another pod, or the same one once it is back.
        if (status !== 404 && status !== 400) throw error;
        tracker.avoid(backend.pod);
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

/**
 * Joins a local socket and a port-forward stream both ways. The forward cannot half-close, so a
 * client's FIN does not end it; the connection ends when the pod side ends or either fails.
 */
export function splice(socket: net.Socket, remote: Duplex): void {
  remote.on('error', (error: Error) => {
    socket.destroy(error);
  });
  socket.on('error', () => {
    remote.destroy();
  });
  socket.on('close', () => {
    remote.destroy();
  });
  remote.on('end', () => {
    socket.end();
  });
  socket.pipe(remote, { end: false });
  remote.pipe(socket, { end: false });
}
