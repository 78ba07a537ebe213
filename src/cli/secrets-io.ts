/**
 * Input/output plumbing of `chartroom secrets`: reading the file or stdin with sops's exit codes,
 * writing results in place / to --output / to stdout, stdin prompts, and the env-backed flags.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type * as SecretsModule from '../secrets/index.js';
import type { KeyFlags, SecretsRuntime } from '../secrets/index.js';

type SecretsApi = typeof SecretsModule;

/** Loaded on demand so other commands (and --help) never pay for the secrets code. */
export const secretsApi = (): Promise<SecretsApi> => import('../secrets/index.js');

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One line from stdin; undefined at end of input. */
export async function readStdinLine(): Promise<string | undefined> {
  return new Promise((resolveLine) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl));
    };
    const onEnd = (): void => {
      finish(text === '' ? undefined : text);
    };
    const finish = (line: string | undefined): void => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
      resolveLine(line);
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
    process.stdin.resume();
  });
}

export interface GlobalSecretsOptions {
  config?: string;
  indent?: number;
  macOnlyEncrypted?: boolean;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
}

export function runtimeFor(
  ctx: CliContext,
  command: Command,
): SecretsRuntime & { globals: GlobalSecretsOptions } {
  const globals = command.optsWithGlobals<GlobalSecretsOptions>();
  const configPath = globals.config ?? ctx.env.SOPS_CONFIG;
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    signal: ctx.signal,
    warn: (m) => {
      ctx.out.warn(m);
    },
    ...(configPath === undefined || configPath === '' ? {} : { configPath }),
    globals,
  };
}

/** A file argument made absolute, refusing a missing file with sops's exit 100. */
export async function requireFile(ctx: CliContext, file: string): Promise<{ path: string; data: Buffer }> {
  const { SecretsError } = await secretsApi();
  const path = resolve(ctx.cwd, file);
  if (!existsSync(path)) {
    throw new SecretsError('noFileSpecified', `Error: cannot operate on non-existent file "${path}"`, {
      hint: 'Check the path.',
    });
  }
  try {
    return { path, data: await readFile(path) };
  } catch (cause) {
    throw new SecretsError('couldNotReadInputFile', `Error reading file: ${(cause as Error).message}`, {
      cause,
    });
  }
}

export interface OutputFlags {
  inPlace?: boolean;
  outputFile?: string;
}

export async function conflictingOutput(flags: OutputFlags): Promise<void> {
  if (flags.inPlace === true && flags.outputFile !== undefined) {
    const { SecretsError } = await secretsApi();
    throw new SecretsError('conflictingParameters', 'Error: cannot operate on both --output and --in-place');
  }
}

/** Writes a result in place, to --output, or to stdout. */
export async function writeResult(
  ctx: CliContext,
  flags: OutputFlags,
  inPlacePath: string | undefined,
  data: Buffer,
): Promise<void> {
  const { writeFileAtomic } = await secretsApi();
  if (flags.inPlace === true && inPlacePath !== undefined) {
    await writeFileAtomic(inPlacePath, data);
  } else if (flags.outputFile !== undefined) {
    await writeFileAtomic(resolve(ctx.cwd, flags.outputFile), data);
  } else {
    ctx.out.raw(data);
  }
}

/** The key flags as commander parses them: the library's KeyFlags, before the SOPS_* fallbacks. */
export type KeyOptions = KeyFlags;

/** Key flags, falling back to the SOPS_* variables sops reads for them. */
export function keyFlags(opts: KeyOptions, env: NodeJS.ProcessEnv): KeyFlags {
  const pick = (flag: string | undefined, variable: string): string | undefined => flag ?? env[variable];
  const flags: KeyFlags = {};
  const set = (name: keyof KeyFlags, value: string | undefined): void => {
    if (value !== undefined) flags[name] = value;
  };
  set('age', pick(opts.age, 'SOPS_AGE_RECIPIENTS'));
  set('pgp', pick(opts.pgp, 'SOPS_PGP_FP'));
  set('kms', pick(opts.kms, 'SOPS_KMS_ARN'));
  set('gcpKms', pick(opts.gcpKms, 'SOPS_GCP_KMS_IDS'));
  set('azureKv', pick(opts.azureKv, 'SOPS_AZURE_KEYVAULT_URLS'));
  set('hcVaultTransit', pick(opts.hcVaultTransit, 'SOPS_VAULT_URIS'));
  set('hckms', pick(opts.hckms, 'SOPS_HUAWEICLOUD_KMS_IDS'));
  set('awsProfile', opts.awsProfile);
  set('encryptionContext', opts.encryptionContext);
  return flags;
}

/** --decryption-order / SOPS_DECRYPTION_ORDER, refusing duplicates with exit 112. */
export async function decryptionOrder(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string[] | undefined> {
  const value = flag ?? env.SOPS_DECRYPTION_ORDER;
  if (value === undefined || value === '') return undefined;
  const order = value.split(',');
  const seen = new Set<string>();
  for (const v of order) {
    if (seen.has(v)) {
      const { SecretsError } = await secretsApi();
      throw new SecretsError('duplicateDecryptionKeyType', `Duplicate decryption key type: ${v}`);
    }
    seen.add(v);
  }
  return order;
}

export const toInt = (v: string): number => {
  const n = Number.parseInt(v, 10);
  if (Number.isNaN(n)) throw new Error(`not a number: ${v}`);
  return n;
};
