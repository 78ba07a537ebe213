/**
 * Bech32 decoding (BIP 173, the original checksum, not bech32m) without BIP 173's 90-character
 * limit, as age encodes its X25519 recipients (`age1…`) and identities (`AGE-SECRET-KEY-1…`).
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3] as const;

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    GENERATOR.forEach((g, i) => {
      if (((top >>> i) & 1) === 1) chk ^= g;
    });
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = Array.from({ length: hrp.length }, (_, i) => hrp.charCodeAt(i));
  return [...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31)];
}

export interface Bech32 {
  /** The human-readable part, lower case. */
  prefix: string;
  bytes: Uint8Array;
}

/** Decodes a Bech32 string; throws on a bad checksum, mixed case or non-canonical padding. */
export function bech32Decode(text: string): Bech32 {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new Error('invalid bech32: mixed case');
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) throw new Error('invalid bech32: separator');
  const prefix = lower.slice(0, sep);
  for (const c of prefix) {
    const code = c.charCodeAt(0);
    if (code < 33 || code > 126) throw new Error('invalid bech32: prefix');
  }
  const data: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new Error('invalid bech32: character');
    data.push(v);
  }
  if (polymod([...hrpExpand(prefix), ...data]) !== 1) throw new Error('invalid bech32: checksum');
  // 5-bit groups → bytes; leftover bits must be fewer than 5 and all zero.
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const v of data.slice(0, -6)) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) throw new Error('invalid bech32: padding');
  return { prefix, bytes: Uint8Array.from(bytes) };
}
