/**
 * The relay that takes the app's place during a swap: a Node.js program run as
 * `node -e <this>` in a stock `node:20-alpine` container, so no image has to be built, pushed or
 * trusted. It listens on every port the app's Services reach, and hands each connection to the
 * CLI over the control connection, which the CLI opens with a port-forward to the control port.
 * The control port listens on 127.0.0.1 only: inside the pod's network namespace that is
 * reachable through the API server's port-forward (which needs pods/portforward rights) and from
 * nowhere else in the cluster. A HELLO must carry the token whose SHA-256 the CLI put in the pod
 * spec, so even a port-forward from someone else cannot take the traffic.
 *
 * Protocol (the CLI's side is tunnel.ts; both ends are tested against each other): frames of
 * `type u8 | stream u32 BE | length u32 BE | payload`. HELLO(1) {token, session} → WELCOME(2)
 * {ports} or DENIED(3) reason; relay → CLI OPEN(4) {port, peer}; both ways DATA(5), END(6)
 * (half-close), CLOSE(7), PAUSE(10)/RESUME(11) (flow control per stream); CLI → relay PING(8),
 * answered by PONG(9). A control silent for 30 s is dropped; the CLI pings every 5 s.
 *
 * The source is plain JavaScript (ES2022, CommonJS under `node -e`), kept free of backticks so
 * it can live in this template string; it must not depend on anything but Node's core modules.
 */
export const relayScript = String.raw`'use strict';
const net = require('node:net');
const crypto = require('node:crypto');
const env = process.env;
const ports = (env.CHARTROOM_RELAY_PORTS || '').split(',').filter(Boolean).map(Number);
const controlPort = Number(env.CHARTROOM_RELAY_CONTROL_PORT || 0);
const tokenHash = Buffer.from(env.CHARTROOM_RELAY_TOKEN_SHA256 || '', 'hex');
const ephemeral = env.CHARTROOM_RELAY_EPHEMERAL === '1';
const parentPid = Number(env.CHARTROOM_RELAY_PARENT_PID || 0);
const holdMs = Number(env.CHARTROOM_RELAY_HOLD_MS || 10000);
const T = { HELLO: 1, WELCOME: 2, DENIED: 3, OPEN: 4, DATA: 5, END: 6, CLOSE: 7, PING: 8, PONG: 9, PAUSE: 10, RESUME: 11 };
const maxChunk = 65536;
const log = (text) => process.stdout.write(new Date().toISOString() + ' chartroom-relay: ' + text + '\n');

function frame(type, id, payload) {
  const body = payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.alloc(9);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(id, 1);
  head.writeUInt32BE(body.length, 5);
  return Buffer.concat([head, body]);
}

function parser(onFrame, onBad) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 9) {
      const length = pending.readUInt32BE(5);
      if (length > 4 * maxChunk) return onBad('frame too large');
      if (pending.length < 9 + length) break;
      const type = pending.readUInt8(0);
      const id = pending.readUInt32BE(1);
      const payload = pending.subarray(9, 9 + length);
      pending = pending.subarray(9 + length);
      onFrame(type, id, payload);
    }
  };
}

const controls = new Set();
const pending = [];
let nextId = 1;

function liveControl() {
  let best;
  for (const control of controls) if (control.authed && !control.socket.destroyed) best = control;
  return best;
}

function openStream(control, socket, port) {
  const id = nextId++;
  const stream = { socket, remotePaused: false };
  control.streams.set(id, stream);
  control.send(T.OPEN, id, { port, peer: socket.remoteAddress + ':' + socket.remotePort });
  socket.on('data', (data) => {
    for (let at = 0; at < data.length; at += maxChunk) control.send(T.DATA, id, data.subarray(at, at + maxChunk));
  });
  socket.on('end', () => control.send(T.END, id));
  socket.on('close', () => {
    if (control.streams.delete(id)) control.send(T.CLOSE, id);
  });
  socket.on('drain', () => control.send(T.RESUME, id));
  socket.on('error', () => undefined);
  if (!control.congested) socket.resume();
}

function accept(socket, port) {
  socket.on('error', () => undefined);
  const control = liveControl();
  if (control !== undefined) return openStream(control, socket, port);
  const entry = { socket, port, timer: setTimeout(() => {
    const index = pending.indexOf(entry);
    if (index >= 0) pending.splice(index, 1);
    log('no control connection: dropped a connection to port ' + port);
    socket.destroy();
  }, holdMs) };
  pending.push(entry);
}

function controlConnection(socket) {
  const control = { socket, streams: new Map(), authed: false, congested: false, lastSeen: Date.now() };
  control.send = (type, id, payload) => {
    if (socket.destroyed) return;
    if (!socket.write(frame(type, id, payload)) && !control.congested) {
      control.congested = true;
      for (const stream of control.streams.values()) stream.socket.pause();
    }
  };
  socket.on('drain', () => {
    control.congested = false;
    for (const stream of control.streams.values()) if (!stream.remotePaused) stream.socket.resume();
  });
  controls.add(control);
  const onFrame = (type, id, payload) => {
    control.lastSeen = Date.now();
    if (!control.authed) {
      let hello;
      try { hello = type === T.HELLO ? JSON.parse(payload.toString('utf8')) : undefined; } catch { hello = undefined; }
      const given = crypto.createHash('sha256').update(String(hello && hello.token)).digest();
      if (hello === undefined || tokenHash.length !== given.length || !crypto.timingSafeEqual(tokenHash, given)) {
        log('refused a control connection (bad token)');
        control.send(T.DENIED, 0, 'bad token');
        socket.end();
        return;
      }
      control.authed = true;
      log('control connected (session ' + String(hello.session) + ')');
      control.send(T.WELCOME, 0, { ports, version: 1 });
      while (pending.length > 0) {
        const entry = pending.shift();
        clearTimeout(entry.timer);
        openStream(control, entry.socket, entry.port);
      }
      return;
    }
    const stream = control.streams.get(id);
    switch (type) {
      case T.PING: return control.send(T.PONG, 0, payload);
      case T.DATA:
        if (stream !== undefined && !stream.socket.write(payload)) control.send(T.PAUSE, id);
        return;
      case T.END: if (stream !== undefined) stream.socket.end(); return;
      case T.CLOSE:
        if (stream !== undefined) { control.streams.delete(id); stream.socket.destroy(); }
        return;
      case T.PAUSE: if (stream !== undefined) { stream.remotePaused = true; stream.socket.pause(); } return;
      case T.RESUME:
        if (stream !== undefined) { stream.remotePaused = false; if (!control.congested) stream.socket.resume(); }
        return;
      default: return;
    }
  };
  socket.on('data', parser(onFrame, (reason) => { log('control: ' + reason); socket.destroy(); }));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    controls.delete(control);
    for (const stream of control.streams.values()) stream.socket.destroy();
    control.streams.clear();
    if (control.authed) log('control disconnected');
  });
}

const listening = {};
const servers = [];
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

async function main() {
  const control = net.createServer(controlConnection);
  servers.push(control);
  const boundControl = await listen(control, ephemeral ? 0 : controlPort, '127.0.0.1');
  for (const port of ports) {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => accept(socket, port));
    servers.push(server);
    listening[port] = await listen(server, ephemeral ? 0 : port, ephemeral ? '127.0.0.1' : undefined);
  }
  log('relaying ports ' + ports.join(', ') + '; control on 127.0.0.1:' + boundControl);
  if (ephemeral) process.stdout.write(JSON.stringify({ chartroomRelay: { control: boundControl, ports: listening } }) + '\n');
}

setInterval(() => {
  const now = Date.now();
  for (const control of controls) if (now - control.lastSeen > 30000) { log('control silent for 30s: dropped'); control.socket.destroy(); }
  if (parentPid > 0) { try { process.kill(parentPid, 0); } catch { log('parent process gone'); process.exit(0); } }
}, 1000);

const stop = () => { log('stopping'); for (const server of servers) server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
main().catch((error) => { log('cannot start: ' + error.message); process.exit(1); });
`;
