/**
 * The value cipher: AES-256-GCM with a 32-byte nonce, stored as
 * `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, exactly as sops's aes/cipher.go.
 *
 * The cipher remembers the IV of every value it decrypted (the "stash"), keyed by AAD, type and
 * plaintext, and reuses it when the same value is encrypted again in the same run. That is what
 * keeps unchanged values byte-identical after an edit, so git diffs stay small.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Comment, type Scalar } from './tree.js';
import { parseRfc3339 } from './gotime.js';
import { atoi, formatFloatF, parseGoBool, parseGoFloat } from './gofmt.js';

export type SopsType = 'str' | 'int' | 'float' | 'bool' | 'time' | 'comment' | 'bytes';

const NONCE_SIZE = 32;
const TAG_SIZE = 16;
const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const B64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

export type Leaf = Exclude<Scalar, null> | Comment;

/** A Go string is bytes; ours is a JS string unless it is not valid UTF-8. */
export function stringFromBytes(bytes: Uint8Array): string | Uint8Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buf) ? buf.toString('utf8') : new Uint8Array(buf);
}

/** sops's `ToBytes`: the plaintext bytes a leaf is encrypted and MACed as. */
export function toBytes(value: Leaf): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'bigint') return Buffer.from(value.toString(), 'latin1');
  if (typeof value === 'number') return Buffer.from(formatFloatF(value), 'latin1');
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False', 'latin1');
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value instanceof Comment) return Buffer.from(value.value, 'utf8');
  return Buffer.from(value.text, 'latin1');
}

export function typeOf(value: Leaf): SopsType {
  if (typeof value === 'string' || value instanceof Uint8Array) return 'str';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Comment) return 'comment';
  return 'time';
}

/** Empty strings, bytes and comments are stored as "" and never encrypted. */
export function isEmptyLeaf(value: Leaf): boolean {
  if (typeof value === 'string') return value === '';
  if (value instanceof Uint8Array) return value.length === 0;
  if (value instanceof Comment) return value.value === '';
  return false;
}

export function looksEncrypted(value: unknown): boolean {
  return typeof value === 'string' && ENC_RE.test(value);
}

interface Parsed {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

/** Go's StdEncoding: padded, standard alphabet (Node alone would skip bad characters). */
function b64(part: string, what: string): Buffer {
  if (part.length % 4 !== 0 || !B64_CHARS.test(part))
    throw new Error(`Error base64-decoding ${what}: illegal base64 data`);
  return Buffer.from(part, 'base64');
}

const PREFIX = 'ENC[AES256_GCM,data:';
/** What the regex's `.` does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * The four fields of a stored value as sops's regex reads them. What sops writes (four non-empty
 * fields without commas or line breaks, `]` only at the end) is cut at its commas, faster and
 * with the same result; anything else goes through the regex, whose greedy groups decide.
 */
function fields(value: string): string[] | undefined {
  const iv = value.indexOf(',iv:', PREFIX.length);
  const tag = value.indexOf(',tag:', iv + 4);
  const type = value.indexOf(',type:', tag + 5);
  const simple =
    value.startsWith(PREFIX) &&
    iv > PREFIX.length &&
    tag > iv + 4 &&
    type > tag + 5 &&
    value.indexOf(']', type) === value.length - 1 &&
    value.length > type + 7 &&
    value.indexOf(',', PREFIX.length) === iv &&
    value.indexOf(',', iv + 1) === tag &&
    value.indexOf(',', tag + 1) === type &&
    value.indexOf(',', type + 1) === -1 &&
    !LINE_BREAK.test(value);
  if (simple)
    return [
      value.slice(PREFIX.length, iv),
      value.slice(iv + 4, tag),
      value.slice(tag + 5, type),
      value.slice(type + 6, -1),
    ];
  return ENC_RE.exec(value)?.slice(1);
}

function parse(value: string): Parsed {
  const [data, iv, tag, type] = fields(value) ?? [];
  if (data === undefined || iv === undefined || tag === undefined || type === undefined) {
    throw new Error(`Input string ${value} does not match sops' data format`);
  }
  return { data: b64(data, 'data'), iv: b64(iv, 'iv'), tag: b64(tag, 'tag'), type };
}

function decode(type: string, bytes: Buffer): Leaf {
  const text = (): string => bytes.toString('utf8');
  switch (type) {
    case 'str':
      return stringFromBytes(bytes);
    case 'bytes':
      return new Uint8Array(bytes);
    case 'int': {
      const v = atoi(text());
      if (v === undefined) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text())}: invalid syntax`);
      return v;
    }
    case 'float': {
      const v = parseGoFloat(text());
      if (v === undefined)
        throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text())}: invalid syntax`);
      return v;
    }
    case 'bool': {
      const v = parseGoBool(text());
      if (v === undefined)
        throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text())}: invalid syntax`);
      return v;
    }
    case 'time': {
      const v = parseRfc3339(text());
      if (v === undefined) throw new Error(`parsing time ${JSON.stringify(text())}: not RFC 3339`);
      return v;
    }
    case 'comment':
      return new Comment(text());
    default:
      throw new Error(`Unknown datatype: ${type}`);
  }
}

/**
 * Fresh random IVs, drawn from the CSPRNG in batches: one call per IV cost more than the AES
 * work on a 10,000-value file. Each IV is handed out once; a spent batch is never refilled.
 */
const IV_BATCH = 512;
let ivPool = Buffer.alloc(0);
let ivNext = 0;

function freshIv(): Buffer {
  if (ivNext + NONCE_SIZE > ivPool.length) {
    ivPool = randomBytes(NONCE_SIZE * IV_BATCH);
    ivNext = 0;
  }
  ivNext += NONCE_SIZE;
  return ivPool.subarray(ivNext - NONCE_SIZE, ivNext);
}

export interface ValueCipherOptions {
  /**
   * Remember each decrypted value's IV for encrypting it again (edit, set, rotate keep unchanged
   * values byte-identical). Off for a plain decrypt, which never encrypts.
   */
  rememberIvs?: boolean;
}

export class ValueCipher {
  private readonly stash = new Map<string, Buffer>();
  private readonly rememberIvs: boolean;

  constructor(options: ValueCipherOptions = {}) {
    this.rememberIvs = options.rememberIvs ?? true;
  }

  private static stashKey(aad: string, type: SopsType, plain: Buffer): string {
    return `${aad}\u0000${type}\u0000${plain.toString('latin1')}`;
  }

  encrypt(value: Leaf, key: Uint8Array, aad: string): string {
    if (isEmptyLeaf(value)) return '';
    const type = typeOf(value);
    const plain = toBytes(value);
    // A new file has nothing stashed: skip building the lookup key.
    const stashed =
      this.stash.size === 0 ? undefined : this.stash.get(ValueCipher.stashKey(aad, type, plain));
    const iv = stashed ?? freshIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
  }

  /** Decrypts one stored value; "" stays "". Throws on a wrong key, AAD or tampered data. */
  decrypt(text: string, key: Uint8Array, aad: string): Leaf {
    if (text === '') return '';
    const { data, iv, tag, type } = parse(text);
    // Go's gcm.Open takes the last 16 bytes of data||tag as the tag, whatever the split in the file.
    const sealed = tag.length === TAG_SIZE ? undefined : Buffer.concat([data, tag]);
    if (sealed !== undefined && sealed.length < TAG_SIZE)
      throw new Error('Could not decrypt with AES_GCM: message authentication failed');
    const body = sealed === undefined ? data : sealed.subarray(0, sealed.length - TAG_SIZE);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed === undefined ? tag : sealed.subarray(sealed.length - TAG_SIZE));
      const head = decipher.update(body);
      const tail = decipher.final();
      plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
    } catch (cause) {
      throw new Error('Could not decrypt with AES_GCM: message authentication failed', { cause });
    }
    const value = decode(type, plain);
    if (!this.rememberIvs) return value;
    const storedType: SopsType = value instanceof Comment ? 'comment' : typeOf(value);
    // Keyed by the exact decrypted bytes: an IV may be reused only when encrypting these same
    // bytes again (identical ciphertext). A value that normalizes ("007" → 7, "True" → true)
    // encrypts to other bytes and must get a fresh IV, or GCM's nonce would repeat.
    this.stash.set(ValueCipher.stashKey(aad, storedType, plain), iv);
    return value;
  }
}
