/**
 * The secrets capability: a SOPS-compatible implementation (files interchangeable with sops 3.x
 * in both directions) and the small library API a Node service uses to read its config at
 * start:
 *
 * ```ts
 * import { loadSecrets } from 'chartroom/secrets';
 * const config = await loadSecrets('config/secrets.production.yaml');
 * ```
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decryptContent, decryptToTree } from './decrypt.js';
import { encryptContent, type EncryptRequest } from './encrypt.js';
import { GoTime } from './gotime.js';
import type { SecretsRuntime } from './runtime.js';
import { Comment, TreeBranch, type TreeValue } from './tree.js';

export { SecretsError, SopsExit, type SopsExitName } from './errors.js';
export type { SecretsRuntime } from './runtime.js';
export { decryptContent, type DecryptRequest } from './decrypt.js';
export { encryptContent, type EncryptRequest } from './encrypt.js';
export { editContent, type EditRequest } from './edit.js';
export {
  rotateContent,
  updateKeysContent,
  type RotateRequest,
  type UpdateKeysPlan,
  type UpdateKeysRequest,
} from './rotate.js';
export {
  jsonToTreeValue,
  NothingToUnsetError,
  setContent,
  unsetContent,
  type ModifyRequest,
} from './modify.js';
export { envFromTree, execWithEnv, execWithFile } from './exec.js';
export { fileStatus } from './status.js';
export { decryptedDiff, textconv } from './diff.js';
export { checkPaths, type CheckResult, type Finding } from './check.js';
export { parseTreePath } from './treepath.js';
export { writeFileAtomic } from './files.js';
export { FORMATS, type Format } from './stores/index.js';
export { decryptToTree };
export type { KeyFlags } from './keysources.js';
export type { CryptRules } from './crypt.js';

export interface LibraryOptions {
  /** Defaults to process.env (SOPS_AGE_KEY_FILE, GNUPGHOME, AWS_* …). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** yaml | json | dotenv | ini | binary; defaults to the file extension. */
  format?: string;
  signal?: AbortSignal;
}

function runtime(options: LibraryOptions): SecretsRuntime {
  return {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

/** The plaintext bytes of a sops file, as `sops decrypt` prints them (MAC verified). */
export async function decryptFile(path: string, options: LibraryOptions = {}): Promise<Buffer> {
  const rt = runtime(options);
  const abs = resolve(rt.cwd, path);
  return decryptContent(rt, {
    input: await readFile(abs),
    path: abs,
    ...(options.format === undefined ? {} : { inputType: options.format, outputType: options.format }),
  });
}

export type PlainValue =
  string | number | bigint | boolean | Date | null | PlainValue[] | { [key: string]: PlainValue };

function toPlain(value: TreeValue): PlainValue {
  if (value instanceof TreeBranch) {
    const out: Record<string, PlainValue> = {};
    for (const [k, v] of value.entries()) out[k] = toPlain(v);
    return out;
  }
  if (Array.isArray(value)) return value.filter((v) => !(v instanceof Comment)).map(toPlain);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof GoTime) return new Date(value.epochMillis);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Comment) return value.value;
  return value;
}

/**
 * A sops file's decrypted content as a plain object (MAC verified): what a service reads at
 * start. Integers beyond 2^53 stay bigints; timestamps become Dates.
 */
export async function loadSecrets(
  path: string,
  options: LibraryOptions = {},
): Promise<Record<string, PlainValue>> {
  const rt = runtime(options);
  const abs = resolve(rt.cwd, path);
  const doc = await decryptToTree(
    rt,
    {
      input: await readFile(abs),
      path: abs,
      ...(options.format === undefined ? {} : { inputType: options.format }),
    },
    { rememberIvs: false },
  );
  const out: Record<string, PlainValue> = {};
  for (const branch of doc.branches) Object.assign(out, toPlain(branch));
  return out;
}

/** Encrypts a file's content (keys from `request.keys` or `.sops.yaml`); returns the sops file. */
export async function encryptFile(
  path: string,
  request: Omit<EncryptRequest, 'input' | 'path'> = {},
  options: LibraryOptions = {},
): Promise<Buffer> {
  const rt = runtime(options);
  const abs = resolve(rt.cwd, path);
  return encryptContent(rt, { ...request, input: await readFile(abs), path: abs });
}
