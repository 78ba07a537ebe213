/** `filestatus`: is this a sops file? (metadata present, with a version and a MAC) */
import { SecretsError } from './errors.js';
import { formatFor, MetadataNotFoundError, storeFor } from './stores/index.js';

export function fileStatus(data: Buffer, path: string, inputType?: string): { encrypted: boolean } {
  const store = storeFor(formatFor(path, inputType));
  try {
    const { metadata } = store.loadEncrypted(data);
    return { encrypted: metadata.version !== '' && metadata.mac !== '' };
  } catch (cause) {
    if (cause instanceof MetadataNotFoundError) return { encrypted: false };
    throw new SecretsError(
      'generic',
      `cannot check file status: cannot load encrypted file: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Cheap test used by `check` and `diff`: does the file carry sops metadata at all? */
export function isSopsFile(data: Buffer, path: string): boolean {
  try {
    return fileStatus(data, path).encrypted;
  } catch {
    return false;
  }
}
