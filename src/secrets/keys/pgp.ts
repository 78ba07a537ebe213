/**
 * PGP master keys. With a `gpg` binary available (SOPS_GPG_EXEC, or gpg on PATH) the data key is
 * wrapped and unwrapped by gpg and its agent, with the same arguments sops uses; otherwise, or
 * when gpg fails, OpenPGP.js does it with key files from CHARTROOM_PGP_KEYRING (a `:`-separated
 * list of armored or binary key files) or the legacy pubring.gpg/secring.gpg in GNUPGHOME.
 * OpenPGP.js writes classic SEIPD packets (no AEAD), which every GnuPG and sops can read.
 */
import type * as OpenPgpModule from 'openpgp';
import type { Key, PrivateKey } from 'openpgp';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KeyContext, MasterKey } from './types.js';
import { findPeer } from '../../core/peers.js';

type OpenPgp = typeof OpenPgpModule;
let openpgpModule: Promise<OpenPgp> | undefined;
function loadOpenPgp(): Promise<OpenPgp> {
  openpgpModule ??= import('openpgp');
  return openpgpModule;
}

export function parsePgpFingerprints(list: string): PgpKey[] {
  if (list === '') return [];
  return list.split(',').map((fp) => new PgpKey(fp.replace(/ /g, '')));
}

/** The last 16 hex digits (keeping a trailing `!`), as sops passes to `--trusted-key`. */
function shortFingerprint(fp: string): string {
  let offset = fp.length - 16;
  if (fp.endsWith('!')) offset -= 1;
  return offset > 0 ? fp.slice(offset) : fp;
}

export class PgpKey implements MasterKey {
  readonly type = 'pgp' as const;
  encryptedKey: string;
  createdAt: string;

  constructor(
    readonly fingerprint: string,
    encryptedKey = '',
    createdAt?: string,
  ) {
    this.encryptedKey = encryptedKey;
    this.createdAt = createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  id(): string {
    return this.fingerprint;
  }

  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const errors: string[] = [];
    const gpg = gpgBinary(ctx.env);
    if (gpg !== undefined && backend(ctx.env) !== 'openpgp') {
      try {
        const out = await gpgRun(
          gpg,
          ctx,
          [
            '--no-default-recipient',
            '--yes',
            '--encrypt',
            '-a',
            '-r',
            this.fingerprint,
            '--trusted-key',
            shortFingerprint(this.fingerprint),
            '--no-encrypt-to',
          ],
          dataKey,
        );
        this.encryptedKey = out.toString('utf8').trim();
        return;
      } catch (cause) {
        errors.push(`GnuPG binary error: ${(cause as Error).message}`);
      }
    }
    if (backend(ctx.env) !== 'gpg') {
      try {
        this.encryptedKey = await encryptWithOpenPgp(this.fingerprint, dataKey, ctx.env);
        return;
      } catch (cause) {
        errors.push(`OpenPGP.js error: ${(cause as Error).message}`);
      }
    }
    throw new Error(`could not encrypt data key with PGP key ${this.fingerprint}: ${errors.join('; ')}`);
  }

  async decrypt(ctx: KeyContext): Promise<Uint8Array> {
    const errors: string[] = [];
    const gpg = gpgBinary(ctx.env);
    if (gpg !== undefined && backend(ctx.env) !== 'openpgp') {
      try {
        const out = await gpgRun(gpg, ctx, ['-d'], Buffer.from(this.encryptedKey, 'utf8'));
        // GnuPG 2.2 silently drops AEAD packets written by 2.3+ and returns nothing.
        if (out.length === 0) throw new Error('zero bytes returned');
        return new Uint8Array(out);
      } catch (cause) {
        errors.push(`GnuPG binary error: ${(cause as Error).message}`);
      }
    }
    if (backend(ctx.env) !== 'gpg') {
      try {
        return await decryptWithOpenPgp(this.encryptedKey, ctx.env);
      } catch (cause) {
        errors.push(`OpenPGP.js error: ${(cause as Error).message}`);
      }
    }
    throw new Error(`could not decrypt data key with PGP key ${this.fingerprint}: ${errors.join('; ')}`);
  }

  toMetadata(): Record<string, unknown> {
    return { fp: this.fingerprint, created_at: this.createdAt, enc: this.encryptedKey };
  }
}

function backend(env: NodeJS.ProcessEnv): 'gpg' | 'openpgp' | 'auto' {
  const b = env.CHARTROOM_PGP_BACKEND;
  return b === 'gpg' || b === 'openpgp' ? b : 'auto';
}

function gpgBinary(env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.SOPS_GPG_EXEC;
  if (configured !== undefined && configured !== '') return configured;
  return findPeer('gpg', env);
}

function gpgRun(binary: string, ctx: KeyContext, args: string[], input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: ctx.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(Buffer.concat(err).toString('utf8').trim() || `gpg exited with ${code}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Key files for OpenPGP.js: CHARTROOM_PGP_KEYRING, then GNUPGHOME's legacy keyrings. */
async function keyringFiles(env: NodeJS.ProcessEnv): Promise<Uint8Array[]> {
  const paths = (env.CHARTROOM_PGP_KEYRING ?? '').split(delimiter).filter((p) => p !== '');
  const home =
    env.GNUPGHOME !== undefined && env.GNUPGHOME !== ''
      ? env.GNUPGHOME
      : join(env.HOME ?? homedir(), '.gnupg');
  paths.push(join(home, 'pubring.gpg'), join(home, 'secring.gpg'));
  const out: Uint8Array[] = [];
  for (const path of paths) {
    try {
      out.push(await readFile(path));
    } catch {
      // Missing files are normal: GnuPG ≥ 2.1 keeps keys in pubring.kbx, which only gpg reads.
    }
  }
  return out;
}

/** Parsed keys by file content: parsing (and RSA key checks) is the slow part of OpenPGP.js. */
const parsedKeys = new Map<string, Promise<Key[]>>();

async function parseKeyFile(data: Uint8Array): Promise<Key[]> {
  const openpgp = await loadOpenPgp();
  const text = Buffer.from(data).toString('latin1');
  const armoredBlocks = text.match(
    /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g,
  );
  if (armoredBlocks === null) return openpgp.readKeys({ binaryKeys: data, config: { minRSABits: 1024 } });
  const keys: Key[] = [];
  for (const block of armoredBlocks) {
    keys.push(...(await openpgp.readKeys({ armoredKeys: block, config: { minRSABits: 1024 } })));
  }
  return keys;
}

async function readAllKeys(env: NodeJS.ProcessEnv): Promise<Key[]> {
  const keys: Key[] = [];
  for (const data of await keyringFiles(env)) {
    const id = createHash('sha256').update(data).digest('hex');
    let parsed = parsedKeys.get(id);
    if (parsed === undefined) parsedKeys.set(id, (parsed = parseKeyFile(data)));
    keys.push(...(await parsed));
  }
  return keys;
}

function matchesFingerprint(key: Key, fp: string): boolean {
  const want = fp.replace(/!$/, '').toLowerCase();
  if (key.getFingerprint().toLowerCase().endsWith(want)) return true;
  return key.getSubkeys().some((sub) => sub.getFingerprint().toLowerCase().endsWith(want));
}

async function encryptWithOpenPgp(
  fingerprint: string,
  dataKey: Uint8Array,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const openpgp = await loadOpenPgp();
  const key = (await readAllKeys(env)).find((k) => matchesFingerprint(k, fingerprint));
  if (key === undefined)
    throw new Error(
      `key with fingerprint ${fingerprint} is not available; set CHARTROOM_PGP_KEYRING to a file holding it`,
    );
  const publicKey = key.isPrivate() ? key.toPublic() : key;
  const message = await openpgp.createMessage({ binary: dataKey, format: 'binary' });
  // openpgp's stream-generic signatures do not resolve without DOM typings; the result of an
  // armored encryption of an in-memory message is a string.
  const armored = (await openpgp.encrypt({
    message,
    encryptionKeys: publicKey,
    format: 'armored',
    config: { aeadProtect: false, minRSABits: 1024 },
  })) as unknown as string;
  return armored.trim();
}

async function decryptWithOpenPgp(armored: string, env: NodeJS.ProcessEnv): Promise<Uint8Array> {
  const openpgp = await loadOpenPgp();
  const secret = (await readAllKeys(env)).filter((k): k is PrivateKey => k.isPrivate());
  if (secret.length === 0)
    throw new Error('no PGP secret keys found; set CHARTROOM_PGP_KEYRING to a file holding one');
  const usable = secret.filter((k) => k.isDecrypted());
  if (usable.length === 0)
    throw new Error('the PGP secret keys found are passphrase-protected; use gpg and its agent for those');
  const message = await openpgp.readMessage({ armoredMessage: armored });
  const result = (await openpgp.decrypt({
    message,
    decryptionKeys: usable,
    format: 'binary',
    config: { minRSABits: 1024 },
  })) as unknown as { data: Uint8Array };
  return result.data;
}
