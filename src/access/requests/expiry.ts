/**
 * Runs expiry on time: sleeps until the next grant of the cluster runs out (re-checking at least
 * every `maxSleepMs`, since grants approved elsewhere do not wake it), then ends what is due.
 */
import type { RbacClient } from './rbac.js';
import type { AccessRequests } from './service.js';
import type { AccessRequest } from './types.js';
import { sleepUnlessAborted } from '../../core/abort.js';

export interface ExpiryLoopOptions {
  requests: AccessRequests;
  cluster: string;
  rbac: RbacClient;
  signal: AbortSignal;
  maxSleepMs?: number;
  now?: () => Date;
  onExpired?: (request: AccessRequest) => void;
  onError?: (error: unknown) => void;
}

export async function runExpiryLoop(options: ExpiryLoopOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  const maxSleep = options.maxSleepMs ?? 15_000;
  while (!options.signal.aborted) {
    let sleep = maxSleep;
    try {
      for (const request of await options.requests.expire({ cluster: options.cluster, rbac: options.rbac }))
        options.onExpired?.(request);
      const next = await options.requests.nextExpiry(options.cluster);
      if (next !== undefined) sleep = Math.max(0, Math.min(maxSleep, next.getTime() - now().getTime()));
    } catch (error) {
      options.onError?.(error);
    }
    await sleepUnlessAborted(sleep, options.signal);
  }
}
