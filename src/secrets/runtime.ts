/** What every secrets operation runs with, and the loading steps they share. */
import { SecretsError } from './errors.js';
import { loadStoresConfig } from './keysources.js';
import type { KeyContext } from './keys/types.js';
import {
  formatFor,
  storeFor,
  MetadataNotFoundError,
  NonStringKeyError,
  type EncryptedDocument,
  type Store,
} from './stores/index.js';

export interface SecretsRuntime {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Warnings for the user (stderr). */
  warn?: (message: string) => void;
  /** `--config` / SOPS_CONFIG. */
  configPath?: string;
}

export function keyContext(rt: SecretsRuntime): KeyContext {
  return { env: rt.env, ...(rt.signal === undefined ? {} : { signal: rt.signal }) };
}

export interface StorePair {
  input: Store;
  output: Store;
}

/** Input and output stores for a path, honouring --input-type/--output-type and `stores:` indent. */
export function storesFor(
  rt: SecretsRuntime,
  path: string,
  options: { inputType?: string | undefined; outputType?: string | undefined; indent?: number | undefined },
): StorePair {
  const config = loadStoresConfig({
    cwd: rt.cwd,
    ...(rt.configPath === undefined ? {} : { configPath: rt.configPath }),
  });
  const inFormat = formatFor(path, options.inputType);
  return {
    input: storeFor(inFormat, config),
    // As sops: the output type defaults to the file's extension, not to the input type.
    output: storeFor(formatFor(path, options.outputType), config, options.indent),
  };
}

/** Loads an encrypted document; failures carry sops's exit codes. */
export function loadEncrypted(store: Store, data: Buffer): EncryptedDocument {
  try {
    return store.loadEncrypted(data);
  } catch (cause) {
    if (cause instanceof MetadataNotFoundError) {
      throw new SecretsError('generic', 'sops metadata not found', {
        hint: 'The file is not encrypted (or not in this format); check --input-type.',
        cause,
      });
    }
    if (cause instanceof NonStringKeyError) {
      throw new SecretsError(
        'errorDecryptingTree',
        `Error decrypting tree: Error walking tree: ${cause.message}`,
        { cause },
      );
    }
    throw new SecretsError('generic', (cause as Error).message, { cause });
  }
}
