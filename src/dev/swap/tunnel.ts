/**
 * The CLI's end of the swap: one control connection per relay pod (over a port-forward the CLI
 * holds), on which the relay announces each connection the cluster made to the app; the CLI opens
 * the matching connection to the local process and carries the bytes both ways. A control that
 * drops (API server restart, network change, the relay pod replaced) is opened again while its pod
 * exists; pings keep idle-timeouts of proxies in front of the API server away.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameReader, FrameType, maxChunk, type FrameTypeValue } from './protocol.js';

export type TunnelEvent =
  | { type: 'control-connected'; pod: string }
  | { type: 'control-lost'; pod: string; reason: string }
  | { type: 'denied'; pod: string; reason: string }
  | { type: 'connection'; pod: string; port: number; peer: string }
  | { type: 'local-refused'; port: number; localPort: number; message: string };

export interface TunnelOptions {
  /** Opens a stream to a relay pod's control port (a port-forward). */
  connect(pod: string): Promise<Duplex>;
  token: string;
  session: string;
  /** The local port for each port the relay serves (default: the same number). */
  localPorts: ReadonlyMap<number, number>;
  onEvent?: (event: TunnelEvent) => void;
  pingIntervalMs?: number;
  /** A control with no frame from the relay for this long is reopened. */
  silenceMs?: number;
}

interface LocalStream {
  socket: net.Socket;
  connected: boolean;
  queue: Buffer[];
  endQueued: boolean;
  remotePaused: boolean;
}

class ControlConnection {
  private readonly streams = new Map<number, LocalStream>();
  private readonly reader = new FrameReader();
  private congested = false;
  private lastFrameAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private welcomed: (() => void) | undefined;
  private failed: ((error: Error) => void) | undefined;
  readonly closed: Promise<string>;
  private markClosed: (reason: string) => void = () => undefined;

  constructor(
    readonly pod: string,
    private readonly stream: Duplex,
    private readonly options: TunnelOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  /** Says hello and resolves on the relay's welcome. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.welcomed = resolve;
      this.failed = reject;
    });
    this.stream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.reader.push(chunk)) this.onFrame(frame.type, frame.id, frame.payload);
      } catch (error) {
        this.shutdown(error instanceof Error ? error.message : String(error));
      }
    });
    this.stream.on('drain', () => {
      this.congested = false;
      for (const stream of this.streams.values()) if (!stream.remotePaused) stream.socket.resume();
    });
    this.stream.on('error', (error: Error) => {
      this.shutdown(error.message);
    });
    this.stream.on('end', () => {
      this.shutdown('the relay closed the control connection');
    });
    this.stream.on('close', () => {
      this.shutdown('the control connection closed');
    });
    this.send(FrameType.hello, 0, { token: this.options.token, session: this.options.session, version: 1 });
    const interval = this.options.pingIntervalMs ?? 5000;
    const silence = this.options.silenceMs ?? 20_000;
    this.timer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > silence) {
        this.shutdown(`no answer from the relay for ${Math.round(silence / 1000)}s`);
        return;
      }
      this.send(FrameType.ping, 0, String(Date.now()));
    }, interval);
    this.timer.unref();
    return ready;
  }

  private send(type: FrameTypeValue, id: number, payload?: Buffer | string | object): void {
    if (this.stream.destroyed) return;
    if (!this.stream.write(encodeFrame(type, id, payload)) && !this.congested) {
      // The port-forward is full: stop reading local sockets until it drains.
      this.congested = true;
      for (const stream of this.streams.values()) stream.socket.pause();
    }
  }

  private onFrame(type: number, id: number, payload: Buffer): void {
    this.lastFrameAt = Date.now();
    const stream = this.streams.get(id);
    switch (type) {
      case FrameType.welcome:
        this.welcomed?.();
        return;
      case FrameType.denied: {
        const reason = payload.toString('utf8');
        this.options.onEvent?.({ type: 'denied', pod: this.pod, reason });
        this.failed?.(new Error(`the relay refused the control connection: ${reason}`));
        this.shutdown(`denied: ${reason}`);
        return;
      }
      case FrameType.open:
        this.open(id, JSON.parse(payload.toString('utf8')) as { port: number; peer: string });
        return;
      case FrameType.data:
        if (stream === undefined) return;
        if (!stream.connected) stream.queue.push(Buffer.from(payload));
        else if (!stream.socket.write(payload)) this.send(FrameType.pause, id);
        return;
      case FrameType.end:
        if (stream === undefined) return;
        if (stream.connected) stream.socket.end();
        else stream.endQueued = true;
        return;
      case FrameType.close:
        if (stream !== undefined) {
          this.streams.delete(id);
          stream.socket.destroy();
        }
        return;
      case FrameType.pause:
        if (stream !== undefined) {
          stream.remotePaused = true;
          stream.socket.pause();
        }
        return;
      case FrameType.resume:
        if (stream !== undefined) {
          stream.remotePaused = false;
          if (!this.congested) stream.socket.resume();
        }
        return;
      default:
        return;
    }
  }

  private open(id: number, request: { port: number; peer: string }): void {
    const localPort = this.options.localPorts.get(request.port) ?? request.port;
    this.options.onEvent?.({ type: 'connection', pod: this.pod, port: request.port, peer: request.peer });
    // localhost with both address families: the app may listen on 127.0.0.1, ::1 or all.
    const socket = net.connect({
      host: 'localhost',
      port: localPort,
      autoSelectFamily: true,
      allowHalfOpen: true,
    });
    const stream: LocalStream = {
      socket,
      connected: false,
      queue: [],
      endQueued: false,
      remotePaused: false,
    };
    this.streams.set(id, stream);
    socket.once('connect', () => {
      stream.connected = true;
      for (const chunk of stream.queue.splice(0)) socket.write(chunk);
      if (stream.endQueued) socket.end();
    });
    socket.on('data', (data: Buffer) => {
      for (let at = 0; at < data.length; at += maxChunk)
        this.send(FrameType.data, id, data.subarray(at, at + maxChunk));
    });
    socket.on('end', () => {
      this.send(FrameType.end, id);
    });
    socket.on('drain', () => {
      this.send(FrameType.resume, id);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!stream.connected) {
        this.options.onEvent?.({
          type: 'local-refused',
          port: request.port,
          localPort,
          message: error.code === 'ECONNREFUSED' ? 'nothing listens there' : error.message,
        });
      }
    });
    socket.on('close', () => {
      if (this.streams.delete(id)) this.send(FrameType.close, id);
    });
    if (this.congested) socket.pause();
  }

  shutdown(reason: string): void {
    clearInterval(this.timer);
    this.failed?.(new Error(reason));
    this.failed = undefined;
    this.welcomed = undefined;
    for (const stream of this.streams.values()) stream.socket.destroy();
    this.streams.clear();
    this.stream.destroy();
    this.markClosed(reason);
  }
}

/**
 * Keeps a control connection to each relay pod it is told about, reopening dropped ones with a
 * growing delay (up to 5 s) while the pod is still listed.
 */
export class Tunnel {
  private readonly connections = new Map<string, ControlConnection>();
  private readonly wanted = new Set<string>();
  private stopped = false;

  constructor(private readonly options: TunnelOptions) {}

  /** The relay pods that exist now (ready ones); connections to others are closed. */
  setPods(pods: Iterable<string>): void {
    const next = new Set(pods);
    for (const pod of this.wanted) {
      if (!next.has(pod)) {
        this.wanted.delete(pod);
        this.connections.get(pod)?.shutdown('the relay pod is gone');
      }
    }
    for (const pod of next) {
      if (!this.wanted.has(pod)) {
        this.wanted.add(pod);
        void this.keep(pod);
      }
    }
  }

  /** Pods with a control connection that the relay has welcomed. */
  get connectedPods(): string[] {
    return [...this.connections.keys()];
  }

  private keeps(pod: string): boolean {
    return !this.stopped && this.wanted.has(pod);
  }

  private async keep(pod: string): Promise<void> {
    let delay = 250;
    while (this.keeps(pod)) {
      let reason: string;
      try {
        const control = new ControlConnection(pod, await this.options.connect(pod), this.options);
        await control.start();
        this.connections.set(pod, control);
        this.options.onEvent?.({ type: 'control-connected', pod });
        delay = 250;
        reason = await control.closed;
        this.connections.delete(pod);
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (!this.keeps(pod)) return;
      this.options.onEvent?.({ type: 'control-lost', pod, reason });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wanted.clear();
    for (const connection of this.connections.values()) connection.shutdown('the session ended');
    this.connections.clear();
  }
}
