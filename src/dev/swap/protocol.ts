/**
 * The CLI's side of the relay protocol's framing (see relay-script.ts for the protocol; the relay
 * carries its own copy of this code because it runs as a standalone script in the cluster).
 */
export const FrameType = {
  hello: 1,
  welcome: 2,
  denied: 3,
  open: 4,
  data: 5,
  end: 6,
  close: 7,
  ping: 8,
  pong: 9,
  pause: 10,
  resume: 11,
} as const;

export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** DATA frames carry at most this much; larger writes are split. */
export const maxChunk = 65_536;

export function encodeFrame(type: FrameTypeValue, id: number, payload?: Buffer | string | object): Buffer {
  const body =
    payload === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.alloc(9);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(id, 1);
  head.writeUInt32BE(body.length, 5);
  return Buffer.concat([head, body]);
}

export interface Frame {
  type: number;
  id: number;
  payload: Buffer;
}

/** Turns a byte stream into frames; throws on a frame no honest peer would send. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= 9) {
      const length = this.pending.readUInt32BE(5);
      if (length > 4 * maxChunk) throw new Error(`relay protocol: a frame of ${length} bytes`);
      if (this.pending.length < 9 + length) break;
      frames.push({
        type: this.pending.readUInt8(0),
        id: this.pending.readUInt32BE(1),
        payload: this.pending.subarray(9, 9 + length),
      });
      this.pending = this.pending.subarray(9 + length);
    }
    return frames;
  }
}
