/**
 * The data key and its wrapping across key groups. One group: every key wraps the 32-byte data
 * key. Several groups: the key is split with Shamir's scheme over GF(2^8) (HashiCorp Vault's,
 * which sops forked; shares are `secret||x`), each group wraps its own share, and any `threshold`
 * groups recover it.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_DECRYPTION_ORDER, type KeyContext, type MasterKey } from './types.js';

export type KeyGroup = MasterKey[];

export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** Wraps `dataKey` with every key of every group; returns the threshold actually stored. */
export async function wrapDataKey(
  groups: KeyGroup[],
  threshold: number,
  dataKey: Uint8Array,
  ctx: KeyContext,
): Promise<number> {
  if (groups.length === 0) throw new Error('no key groups provided');
  let parts: Uint8Array[];
  let stored = threshold;
  if (groups.length === 1) {
    parts = [dataKey];
  } else {
    if (stored === 0) stored = groups.length;
    if (stored < 2)
      throw new Error('could not split data key into parts for Shamir: threshold must be at least 2');
    if (stored > groups.length)
      throw new Error('could not split data key into parts for Shamir: parts cannot be less than threshold');
    // Loaded only for several key groups: most files have one, and the library costs ~20 ms.
    const { split } = await import('shamir-secret-sharing');
    // The library insists on plain Uint8Arrays (not Buffers).
    parts = await split(new Uint8Array(dataKey), groups.length, stored);
  }
  const errors: string[] = [];
  await Promise.all(
    groups.map(async (group, i) => {
      if (group.length === 0) throw new Error('empty key group provided');
      await Promise.all(
        group.map(async (key) => {
          try {
            await key.encrypt(parts[i] ?? dataKey, ctx);
          } catch (cause) {
            errors.push(
              `failed to encrypt new data key with master key ${JSON.stringify(key.id())}: ${(cause as Error).message}`,
            );
          }
        }),
      );
    }),
  );
  if (errors.length > 0) throw new Error(`Could not generate data key: [${errors.join(' ')}]`);
  return stored;
}

/** Orders a group's keys by the decryption order (stable, unknown types last), as sops does. */
export function sortForDecryption(group: KeyGroup, order: readonly string[]): KeyGroup {
  const rank = (k: MasterKey): number => {
    const i = order.indexOf(k.type);
    return i < 0 ? order.length : i;
  };
  return group
    .map((k, i) => ({ k, i }))
    .sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i)
    .map(({ k }) => k);
}

interface KeyFailure {
  key: string;
  error: string;
}

export class DataKeyError extends Error {
  constructor(
    readonly threshold: number,
    readonly groups: (KeyFailure[] | null)[],
  ) {
    super(renderDataKeyError(threshold, groups));
  }
}

function renderDataKeyError(threshold: number, groups: (KeyFailure[] | null)[]): string {
  const lines = ['Failed to get the data key required to decrypt the SOPS file.', ''];
  groups.forEach((failures, i) => {
    lines.push(`Group ${i}: ${failures === null ? 'SUCCESS' : 'FAILED'}`);
    for (const f of failures ?? []) {
      lines.push(`  ${f.key}: FAILED`);
      lines.push(...f.error.split('\n').map((l, j) => (j === 0 ? `    - | ${l}` : `      | ${l}`)));
    }
    lines.push('');
  });
  const ok = groups.filter((g) => g === null).length;
  lines.push(
    threshold === 0
      ? 'Recovery failed because no master key was able to decrypt the file. In order for SOPS to recover the file, at least one key has to be successful, but none were.'
      : `Recovery failed because the file was encrypted with a Shamir threshold of ${threshold}, but only ${ok} part(s) were successfully recovered, one for each successful key group. In order for SOPS to recover the file, at least ${threshold} groups have to be successful. In order for a group to be successful, decryption has to succeed with any of the keys in that key group.`,
  );
  return lines.join('\n');
}

async function unwrapGroup(
  group: KeyGroup,
  order: readonly string[],
  ctx: KeyContext,
): Promise<Uint8Array | KeyFailure[]> {
  const failures: KeyFailure[] = [];
  for (const key of sortForDecryption(group, order)) {
    try {
      return await key.decrypt(ctx);
    } catch (cause) {
      failures.push({ key: key.id(), error: (cause as Error).message });
    }
  }
  return failures;
}

/**
 * Recovers the data key: per group, the keys are tried in decryption order until one succeeds.
 * Groups are tried in parallel; with Shamir, any `threshold` successful groups suffice.
 */
export async function unwrapDataKey(
  groups: KeyGroup[],
  threshold: number,
  ctx: KeyContext,
  order: readonly string[] = DEFAULT_DECRYPTION_ORDER,
): Promise<Uint8Array> {
  const results = await Promise.all(groups.map((g) => unwrapGroup(g, order, ctx)));
  const parts = results.filter((r): r is Uint8Array => r instanceof Uint8Array);
  const report = (): DataKeyError =>
    new DataKeyError(
      threshold,
      results.map((r) => (r instanceof Uint8Array ? null : r)),
    );
  if (groups.length > 1) {
    if (parts.length < threshold || parts.length < 2) throw report();
    try {
      const { combine } = await import('shamir-secret-sharing');
      return await combine(parts.map((p) => new Uint8Array(p)));
    } catch (cause) {
      throw new Error(`could not get data key from shamir parts: ${(cause as Error).message}`, { cause });
    }
  }
  const [only] = parts;
  if (only === undefined || parts.length !== 1) throw report();
  return only;
}
