import { Duplex, Readable, Writable } from 'node:stream';
import { PortForward } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { KubeApiError } from './errors.js';

export interface PortForwardOptions {
  namespace: string;
  pod: string;
  port: number;
  /** Gives up on the WebSocket upgrade after this long (client-node has no timeout of its own). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The part of the `ws` WebSocket that client-node hands back. */
interface PortForwardSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  close(): void;
  pause(): void;
  resume(): void;
  addEventListener(type: 'close', listener: () => void): void;
}

/** Writes queue on the WebSocket up to this many bytes before the stream applies backpressure. */
const sendWindow = 1 << 20;

/**
 * One TCP connection to a pod's port through the API server (`pods/portforward`, the WebSocket
 * protocol client-node speaks), as a Duplex: what is written reaches the port, what the pod sends
 * is read. client-node's PortForward neither applies backpressure nor reports a failed dial inside
 * the pod as an error, so this adds both: the WebSocket pauses while the reader is full, writes
 * wait while the send buffer is full, and text on the error channel destroys the stream.
 *
 * The portforward WebSocket protocol (v4.channel.k8s.io) cannot half-close: ending the writable
 * side does nothing, the connection ends when the pod's side closes or the stream is destroyed.
 */
export async function openPortForward(client: KubeClient, options: PortForwardOptions): Promise<Duplex> {
  const where = `${options.namespace}/${options.pod}:${options.port}`;
  // Set once the WebSocket is open; the stream's callbacks reach it through here.
  const link: { socket?: PortForwardSocket } = {};
  let failure = '';
  // What client-node reads and sends to the pod; it listens for 'data' itself.
  const toPod = new Readable({ read() {} });

  const stream = new Duplex({
    allowHalfOpen: true,
    read() {
      link.socket?.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      toPod.push(chunk);
      waitForWindow(() => link.socket, callback);
    },
    final(callback) {
      callback();
    },
    destroy(error, callback) {
      toPod.destroy();
      link.socket?.close();
      callback(error);
    },
  });

  const fromPod = new Writable({
    write(data: Buffer, _encoding, callback) {
      if (!stream.push(data)) link.socket?.pause();
      callback();
    },
  });
  const errors = new Writable({
    write(data: Buffer, _encoding, callback) {
      // The channel opens with its port number (stripped by client-node): an empty first frame.
      if (data.length === 0) {
        callback();
        return;
      }
      failure += data.toString('utf8');
      stream.destroy(
        new KubeApiError({
          message: `port-forward to ${where}: ${failure.trim()}`,
          hint: 'Is the port open in the pod? Check the pod and its logs.',
        }),
      );
      callback();
    },
  });

  const forward = new PortForward(client.config, true);
  const connecting = forward.portForward(
    options.namespace,
    options.pod,
    [options.port],
    fromPod,
    errors,
    toPod,
  );
  const socket = (await withTimeout(connecting as Promise<unknown>, options, where)) as PortForwardSocket;
  link.socket = socket;
  socket.addEventListener('close', () => {
    if (!stream.destroyed) stream.push(null);
  });
  if (stream.destroyed) socket.close();
  return stream;
}

function waitForWindow(socket: () => PortForwardSocket | undefined, callback: () => void): void {
  const current = socket();
  if (current === undefined || current.bufferedAmount < sendWindow || current.readyState !== 1) {
    callback();
    return;
  }
  setTimeout(() => {
    waitForWindow(socket, callback);
  }, 5);
}

/** Status codes the API server answers an upgrade with, from ws's "Unexpected server response: N". */
function statusOf(message: string): number | undefined {
  const match = /Unexpected server response: (\d{3})/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function withTimeout<T>(
  connecting: Promise<T>,
  options: PortForwardOptions,
  where: string,
): Promise<T> {
  const timeoutMs = options.connectTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new KubeApiError({ message: `port-forward to ${where}: no answer after ${timeoutMs} ms` }));
    }, timeoutMs);
    onAbort = () => {
      reject(new KubeApiError({ message: `port-forward to ${where}: aborted` }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([connecting, giveUp]);
  } catch (error) {
    // A late success after a timeout or abort must not leak an open WebSocket.
    connecting.then(
      (late) => {
        (late as PortForwardSocket).close();
      },
      () => undefined,
    );
    if (error instanceof KubeApiError) throw error;
    const message = errorText(error);
    const status = statusOf(message);
    throw new KubeApiError({
      message: `port-forward to ${where}: ${status === undefined ? message : describeStatus(status)}`,
      ...(status === undefined ? {} : { status }),
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) options.signal?.removeEventListener('abort', onAbort);
  }
}

function describeStatus(status: number): string {
  switch (status) {
    case 400:
      return 'the pod is not running (HTTP 400)';
    case 403:
      return 'forbidden: you may not port-forward to pods here (HTTP 403)';
    case 404:
      return 'the pod does not exist (HTTP 404)';
    default:
      return `the API server refused the upgrade (HTTP ${status})`;
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message } = error;
    if (typeof message === 'string') return message;
  }
  return String(error);
}
