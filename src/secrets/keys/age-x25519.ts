/**
 * age v1 files for X25519 recipients on node:crypto (X25519, HKDF-SHA256, ChaCha20-Poly1305,
 * HMAC-SHA256): what sops writes for an `age1…` key. The age-encryption library costs ~130 ms
 * to load, because it loads its pure-JS curves and post-quantum code up front — more than a whole
 * sops run; OpenSSL does the same work in well under a millisecond. Hybrid post-quantum keys
 * (age1pq1…, AGE-SECRET-KEY-PQ-1…) still go through the library (see age.ts).
 *
 * Format: https://age-encryption.org/v1 — header (version line, one stanza per recipient,
 * `--- MAC`), 16-byte nonce, payload in ChaCha20-Poly1305 STREAM chunks of 64 KiB, ASCII-armored.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { bech32Decode } from './bech32.js';

const VERSION_LINE = 'age-encryption.org/v1';
const X25519_LABEL = 'age-encryption.org/v1/X25519';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
// DER wrappers that turn a raw 32-byte X25519 key into what node:crypto imports.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const CHUNK = 64 * 1024;
const TAG = 16;
const ZERO_NONCE = Buffer.alloc(12);

/** True for the recipients this module handles (not age1pq1…, age1tag1…). */
export const isX25519Recipient = (recipient: string): boolean =>
  recipient.startsWith('age1') && !/^age1(pq|tag|tagpq)1/.test(recipient);

/** True for the identities this module handles (not AGE-SECRET-KEY-PQ-1…). */
export const isX25519Identity = (identity: string): boolean => identity.startsWith('AGE-SECRET-KEY-1');

function recipientBytes(recipient: string): Buffer {
  const { prefix, bytes } = bech32Decode(recipient);
  if (!recipient.startsWith('age1') || prefix !== 'age' || bytes.length !== 32)
    throw new Error('invalid recipient');
  return Buffer.from(bytes);
}

interface Identity {
  privateKey: KeyObject;
  recipient: Buffer;
}

function parseIdentity(identity: string): Identity {
  const { prefix, bytes } = bech32Decode(identity);
  if (!isX25519Identity(identity) || prefix !== 'age-secret-key-' || bytes.length !== 32)
    throw new Error('invalid identity');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, bytes]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, recipient: rawPublicKey(createPublicKey(privateKey)) };
}

const rawPublicKey = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' }).subarray(-32);
const publicKeyOf = (raw: Buffer): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

function seal(key: Buffer, nonce: Buffer, data: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify. */
function open(key: Buffer, nonce: Buffer, data: Buffer): Buffer | undefined {
  if (data.length < TAG) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(data.subarray(data.length - TAG));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG)), decipher.final()]);
  } catch {
    return undefined;
  }
}

const base64NoPad = (data: Uint8Array): string => Buffer.from(data).toString('base64').replace(/=+$/, '');

/** Strict unpadded base64, as age requires (canonical: re-encoding gives the same text). */
function fromBase64NoPad(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]*$/.test(text) || base64NoPad(bytes) !== text) throw new Error('invalid base64');
  return bytes;
}

interface Stanza {
  args: string[];
  body: Buffer;
}

function wrapFileKey(fileKey: Buffer, recipient: Buffer): Stanza {
  const ephemeral = generateKeyPairSync('x25519');
  const share = rawPublicKey(ephemeral.publicKey);
  const secret = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyOf(recipient) });
  const key = hkdf(secret, Buffer.concat([share, recipient]), X25519_LABEL);
  return { args: ['X25519', base64NoPad(share)], body: seal(key, ZERO_NONCE, fileKey) };
}

function unwrapFileKey(stanza: Stanza, identity: Identity): Buffer | undefined {
  if (stanza.args.length !== 2) throw new Error('invalid X25519 stanza');
  const share = fromBase64NoPad(stanza.args[1] ?? '');
  if (share.length !== 32 || stanza.body.length !== 32) throw new Error('invalid X25519 stanza');
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey: identity.privateKey, publicKey: publicKeyOf(share) });
  } catch {
    // OpenSSL refuses a low-order share (an all-zero shared secret), as age does.
    throw new Error('invalid X25519 stanza');
  }
  const key = hkdf(secret, Buffer.concat([share, identity.recipient]), X25519_LABEL);
  return open(key, ZERO_NONCE, stanza.body);
}

function encodeHeaderNoMac(stanzas: Stanza[]): string {
  let text = `${VERSION_LINE}\n`;
  for (const { args, body } of stanzas) {
    text += `-> ${args.join(' ')}\n`;
    // Body lines of 48 bytes; a body that fills its last line gets an empty line after it.
    for (let i = 0; i <= body.length; i += 48) text += `${base64NoPad(body.subarray(i, i + 48))}\n`;
  }
  return `${text}---`;
}

const macOf = (fileKey: Buffer, headerNoMac: Uint8Array): Buffer =>
  createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header'))
    .update(headerNoMac)
    .digest();

function streamNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** STREAM: 64 KiB chunks, the last one flagged (an empty plaintext is one empty final chunk). */
function sealPayload(key: Buffer, plaintext: Uint8Array): Buffer {
  const chunks: Buffer[] = [];
  let counter = 0;
  for (let off = 0; ; off += CHUNK, counter++) {
    const last = off + CHUNK >= plaintext.length;
    chunks.push(seal(key, streamNonce(counter, last), plaintext.subarray(off, off + CHUNK)));
    if (last) return Buffer.concat(chunks);
  }
}

function openPayload(key: Buffer, payload: Buffer): Buffer {
  const chunks: Buffer[] = [];
  for (let off = 0, counter = 0; ; counter++) {
    const last = payload.length - off <= CHUNK + TAG;
    const end = last ? payload.length : off + CHUNK + TAG;
    const plain = open(key, streamNonce(counter, last), payload.subarray(off, end));
    if (plain === undefined) throw new Error('failed to decrypt payload chunk');
    if (last && plain.length === 0 && counter > 0) throw new Error('final chunk is empty');
    chunks.push(plain);
    if (last) return Buffer.concat(chunks);
    off = end;
  }
}

function armor(file: Buffer): string {
  let text = `${ARMOR_BEGIN}\n`;
  for (let i = 0; i < file.length; i += 48) text += `${file.subarray(i, i + 48).toString('base64')}\n`;
  return `${text}${ARMOR_END}\n`;
}

/** The armor's strict PEM subset: 64-column base64 lines; whitespace around and CRLF allowed. */
function dearmor(text: string): Buffer {
  const lines = text.trim().replaceAll('\r\n', '\n').split('\n');
  if (lines.shift() !== ARMOR_BEGIN) throw new Error('invalid header');
  if (lines.pop() !== ARMOR_END) throw new Error('invalid footer');
  const lengthOk = (line: string, i: number): boolean =>
    i === lines.length - 1
      ? line.length > 0 && line.length <= 64 && line.length % 4 === 0
      : line.length === 64;
  if (!lines.every(lengthOk)) throw new Error('invalid line length');
  const joined = lines.join('');
  const bytes = Buffer.from(joined, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined) || bytes.toString('base64') !== joined)
    throw new Error('invalid base64');
  return bytes;
}

interface Header {
  stanzas: Stanza[];
  headerNoMac: Buffer;
  mac: Buffer;
  payloadStart: number;
}

function parseHeader(file: Buffer): Header {
  let pos = 0;
  const nextLine = (): string => {
    const nl = file.indexOf(10, pos);
    if (nl < 0) throw new Error('invalid header');
    const line = file.toString('latin1', pos, nl);
    pos = nl + 1;
    return line;
  };
  const version = nextLine();
  if (version !== VERSION_LINE) throw new Error(`invalid version ${version}`);
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = pos;
    const line = nextLine();
    if (line.startsWith('--- ')) {
      const mac = fromBase64NoPad(line.slice(4));
      if (mac.length !== 32) throw new Error('invalid header MAC');
      return { stanzas, headerNoMac: file.subarray(0, start + 3), mac, payloadStart: pos };
    }
    const [arrow, ...args] = line.split(' ');
    if (arrow !== '->' || args.length === 0 || args.some((a) => a === '')) throw new Error('invalid stanza');
    const body: Buffer[] = [];
    for (;;) {
      const part = fromBase64NoPad(nextLine());
      if (part.length > 48) throw new Error('invalid stanza');
      body.push(part);
      if (part.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

/** An armored age file of `plaintext` for X25519 recipients (`age1…`). */
export function encryptX25519(recipients: readonly string[], plaintext: Uint8Array): string {
  const keys = recipients.map(recipientBytes);
  const fileKey = randomBytes(16);
  const headerNoMac = encodeHeaderNoMac(keys.map((r) => wrapFileKey(fileKey, r)));
  const mac = macOf(fileKey, Buffer.from(headerNoMac, 'latin1'));
  const nonce = randomBytes(16);
  return armor(
    Buffer.concat([
      Buffer.from(`${headerNoMac} ${base64NoPad(mac)}\n`, 'latin1'),
      nonce,
      sealPayload(hkdf(fileKey, nonce, 'payload'), plaintext),
    ]),
  );
}

/** Decrypts an armored age file with X25519 identities (`AGE-SECRET-KEY-1…`). */
export function decryptX25519(armored: string, identities: readonly string[]): Uint8Array {
  const keys = identities.map(parseIdentity);
  const file = dearmor(armored);
  const header = parseHeader(file);
  let fileKey: Buffer | undefined;
  for (const identity of keys) {
    for (const stanza of header.stanzas) {
      if (stanza.args[0] !== 'X25519') continue;
      fileKey = unwrapFileKey(stanza, identity);
      if (fileKey !== undefined) break;
    }
    if (fileKey !== undefined) break;
  }
  if (fileKey === undefined) throw new Error("no identity matched any of the file's recipients");
  if (!timingSafeEqual(macOf(fileKey, header.headerNoMac), header.mac))
    throw new Error('invalid header HMAC');
  const nonce = file.subarray(header.payloadStart, header.payloadStart + 16);
  if (nonce.length !== 16) throw new Error('missing payload nonce');
  const payload = file.subarray(header.payloadStart + 16);
  return new Uint8Array(openPayload(hkdf(fileKey, nonce, 'payload'), payload));
}
