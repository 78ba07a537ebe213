/**
 * age master keys: the data key is written as an armored age file with one X25519 (or hybrid
 * post-quantum) recipient, as sops's age keysource does. X25519 keys, what nearly every sops
 * user has, are handled on node:crypto (age-x25519.ts); hybrid keys load the age-encryption
 * library. Identities are found where sops looks: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
 * SOPS_AGE_KEY_CMD, then $XDG_CONFIG_HOME/sops/age/keys.txt (or ~/.config/sops/age/keys.txt).
 */
import type * as AgeEncryption from 'age-encryption';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyContext, MasterKey } from './types.js';
import { decryptX25519, encryptX25519, isX25519Identity, isX25519Recipient } from './age-x25519.js';
import { splitCommandLine } from '../shell.js';

const run = promisify(execFile);

type AgeModule = typeof AgeEncryption;
let ageModule: Promise<AgeModule> | undefined;
/** Loaded on first use, and only for hybrid post-quantum keys (it takes ~130 ms to load). */
function loadAge(): Promise<AgeModule> {
  ageModule ??= import('age-encryption');
  return ageModule;
}

const RECIPIENT_RE = /^age1(pq1)?[02-9ac-hj-np-z]+$/;

export function parseAgeRecipients(list: string): AgeKey[] {
  if (list === '') return [];
  return list.split(',').map((r) => new AgeKey(r.trim()));
}

export class AgeKey implements MasterKey {
  readonly type = 'age' as const;
  encryptedKey: string;

  constructor(
    readonly recipient: string,
    encryptedKey = '',
  ) {
    if (!RECIPIENT_RE.test(recipient)) {
      if (recipient.startsWith('ssh-')) {
        throw new Error(
          `age recipients of SSH keys are not supported by Chartroom yet: ${JSON.stringify(recipient)}`,
        );
      }
      throw new Error(`failed to parse input as Bech32-encoded age public key: ${JSON.stringify(recipient)}`);
    }
    this.encryptedKey = encryptedKey;
  }

  id(): string {
    return this.recipient;
  }

  async encrypt(dataKey: Uint8Array): Promise<void> {
    try {
      if (isX25519Recipient(this.recipient)) {
        this.encryptedKey = encryptX25519([this.recipient], dataKey);
        return;
      }
      const age = await loadAge();
      const encrypter = new age.Encrypter();
      encrypter.addRecipient(this.recipient);
      this.encryptedKey = age.armor.encode(await encrypter.encrypt(dataKey));
    } catch (cause) {
      throw new Error(
        `failed to encrypt sops data key with age recipient ${this.recipient}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  async decrypt(ctx: KeyContext): Promise<Uint8Array> {
    const { identities, sources, errors } = await loadIdentities(ctx, this.recipient);
    if (identities.length === 0) {
      const tried =
        sources.length > 0
          ? sources.join(', ')
          : 'SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, ~/.config/sops/age/keys.txt';
      throw new Error(
        `failed to load age identities${errors.length > 0 ? `: ${errors.join('; ')}` : ''} (looked in ${tried})`,
      );
    }
    try {
      if (identities.every(isX25519Identity)) return decryptX25519(this.encryptedKey, identities);
      const age = await loadAge();
      const decrypter = new age.Decrypter();
      for (const identity of identities) decrypter.addIdentity(identity);
      return await decrypter.decrypt(age.armor.decode(this.encryptedKey));
    } catch (cause) {
      throw new Error(`failed to decrypt sops data key with age: ${(cause as Error).message}`, { cause });
    }
  }

  toMetadata(): Record<string, unknown> {
    return { recipient: this.recipient, enc: this.encryptedKey };
  }
}

interface LoadedIdentities {
  identities: string[];
  sources: string[];
  errors: string[];
}

function parseIdentityLines(text: string, manyPerLine: boolean): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const words = manyPerLine ? line.split(/\s+/).filter((w) => w !== '') : [line.trim()];
    for (const word of words) {
      if (word.startsWith('AGE-PLUGIN-'))
        throw new Error('age plugin identities are not supported by Chartroom');
      if (!word.startsWith('AGE-SECRET-KEY-')) throw new Error('unknown identity type');
      out.push(word);
    }
  }
  return out;
}

function userConfigDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && xdg !== '') return xdg;
  return join(env.HOME ?? homedir(), '.config');
}

/** Collects identities from every place sops reads them (all of them, not just the first). */
async function loadIdentities(ctx: KeyContext, recipient: string): Promise<LoadedIdentities> {
  const { env } = ctx;
  const result: LoadedIdentities = { identities: [], sources: [], errors: [] };
  const add = (source: string, text: string, manyPerLine: boolean): void => {
    result.sources.push(source);
    try {
      result.identities.push(...parseIdentityLines(text, manyPerLine));
    } catch (cause) {
      result.errors.push(`${source}: ${(cause as Error).message}`);
    }
  };
  if (env.SOPS_AGE_KEY !== undefined) add('SOPS_AGE_KEY', env.SOPS_AGE_KEY, true);
  if (env.SOPS_AGE_KEY_FILE !== undefined) {
    try {
      add(env.SOPS_AGE_KEY_FILE, await readFile(env.SOPS_AGE_KEY_FILE, 'utf8'), false);
    } catch (cause) {
      result.errors.push(`failed to open SOPS_AGE_KEY_FILE file: ${(cause as Error).message}`);
    }
  }
  if (env.SOPS_AGE_KEY_CMD !== undefined) {
    const [cmd, ...args] = splitCommandLine(env.SOPS_AGE_KEY_CMD);
    if (cmd === undefined) {
      result.errors.push('SOPS_AGE_KEY_CMD is empty');
    } else {
      try {
        const { stdout } = await run(cmd, args, {
          env: { ...env, SOPS_AGE_RECIPIENT: recipient },
          ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        });
        add('SOPS_AGE_KEY_CMD', stdout, false);
      } catch (cause) {
        result.errors.push(`failed to execute command ${env.SOPS_AGE_KEY_CMD}: ${(cause as Error).message}`);
      }
    }
  }
  const keysFile = join(userConfigDir(env), 'sops', 'age', 'keys.txt');
  try {
    add(keysFile, await readFile(keysFile, 'utf8'), false);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT')
      result.errors.push(`failed to open file: ${(cause as Error).message}`);
  }
  return result;
}
