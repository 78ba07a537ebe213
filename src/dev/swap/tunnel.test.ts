import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../core/net.js';
import { relayScript } from './relay-script.js';
import { Tunnel, type TunnelEvent } from './tunnel.js';

/** The real relay program, run by Node as in its container, with listeners on free ports. */
async function startRelay(
  token: string,
  ports: number[],
): Promise<{
  child: ChildProcess;
  control: number;
  ports: Record<string, number>;
}> {
  const child = spawn(process.execPath, ['-e', relayScript], {
    env: {
      CHARTROOM_RELAY_PORTS: ports.join(','),
      CHARTROOM_RELAY_TOKEN_SHA256: createHash('sha256').update(token).digest('hex'),
      CHARTROOM_RELAY_EPHEMERAL: '1',
      CHARTROOM_RELAY_HOLD_MS: '3000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) {
        const parsed = JSON.parse(line) as {
          chartroomRelay: { control: number; ports: Record<string, number> };
        };
        resolve({ child, ...parsed.chartroomRelay });
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`relay exited ${String(code)}: ${output}`));
    });
  });
}

const children: ChildProcess[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** The local app: echoes with a prefix, and answers "bye" after the client half-closes. */
async function localApp(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (data: Buffer) => socket.write(data));
    socket.on('end', () => socket.end('bye'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

function exchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.end(payload);
  });
}

function tunnelTo(control: number, token: string, localPorts: Map<number, number>, events: TunnelEvent[]) {
  const tunnel = new Tunnel({
    connect: async () => {
      const socket = net.connect(control, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    },
    token,
    session: 'test',
    localPorts,
    onEvent: (event) => events.push(event),
  });
  closers.push(() => {
    tunnel.stop();
  });
  return tunnel;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('relay and tunnel', () => {
  it('carries connections both ways with half-close and large payloads', async () => {
    const token = randomBytes(16).toString('hex');
    const relay = await startRelay(token, [8080, 9090]);
    const app = await localApp();
    const events: TunnelEvent[] = [];
    const tunnel = tunnelTo(
      relay.control,
      token,
      new Map([
        [8080, app],
        [9090, app],
      ]),
      events,
    );
    tunnel.setPods(['relay-0']);
    await until(() => events.some((event) => event.type === 'control-connected'), 'the control connection');

    const small = await exchange(relay.ports['8080'] ?? 0, Buffer.from('hello'));
    expect(small.toString()).toBe('hellobye');

    // 8 MiB through both directions exercises the flow control on both ends.
    const big = randomBytes(8 * 1024 * 1024);
    const echoed = await exchange(relay.ports['9090'] ?? 0, big);
    expect(echoed.length).toBe(big.length + 3);
    expect(echoed.subarray(0, big.length).equals(big)).toBe(true);

    const parallel = await Promise.all(
      Array.from({ length: 20 }, (_, i) => exchange(relay.ports['8080'] ?? 0, Buffer.from(`n${i}`))),
    );
    expect(parallel.map((b) => b.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}bye`));
    expect(events.filter((event) => event.type === 'connection')).toHaveLength(22);
  });

  it('refuses a control connection with the wrong token', async () => {
    const relay = await startRelay('right', [8080]);
    const events: TunnelEvent[] = [];
    const tunnel = tunnelTo(relay.control, 'wrong', new Map(), events);
    tunnel.setPods(['relay-0']);
    await until(() => events.some((event) => event.type === 'denied'), 'the refusal');
    expect(events.some((event) => event.type === 'control-connected')).toBe(false);
  });

  it('holds connections that arrive before the control, and reports a local app that is not listening', async () => {
    const token = 't';
    const relay = await startRelay(token, [8080]);
    const app = await localApp();
    const early = exchange(relay.ports['8080'] ?? 0, Buffer.from('early'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events: TunnelEvent[] = [];
    const closed = await freePort();
    const localPorts = new Map([[8080, app]]);
    const tunnel = tunnelTo(relay.control, token, localPorts, events);
    tunnel.setPods(['relay-0']);
    expect((await early).toString()).toBe('earlybye');

    localPorts.set(8080, closed);
    const refused = await exchange(relay.ports['8080'] ?? 0, Buffer.from('x'));
    expect(refused.length).toBe(0);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'local-refused', port: 8080, localPort: closed }),
    );
  });

  it('reconnects the control after it drops', async () => {
    const token = 'r';
    const relay = await startRelay(token, [8080]);
    const app = await localApp();
    const events: TunnelEvent[] = [];
    const sockets: net.Socket[] = [];
    const tunnel = new Tunnel({
      connect: async () => {
        const socket = net.connect(relay.control, '127.0.0.1');
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
        return socket;
      },
      token,
      session: 's',
      localPorts: new Map([[8080, app]]),
      onEvent: (event) => events.push(event),
    });
    closers.push(() => {
      tunnel.stop();
    });
    tunnel.setPods(['relay-0']);
    await until(() => events.filter((e) => e.type === 'control-connected').length === 1, 'the first control');
    sockets[0]?.destroy();
    await until(
      () => events.filter((e) => e.type === 'control-connected').length === 2,
      'the second control',
    );
    expect((await exchange(relay.ports['8080'] ?? 0, Buffer.from('again'))).toString()).toBe('againbye');
  });
});
