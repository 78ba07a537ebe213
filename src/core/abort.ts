/**
 * Waiting on an AbortSignal: servers run until the user stops them, and loops sleep until their
 * next deadline or a stop, whichever comes first. Both remove their listener when they end, so a
 * loop that sleeps for days does not pile up listeners on one signal.
 */

/** Resolves when the signal aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return sleepUnlessAborted(Number.POSITIVE_INFINITY, signal);
}

/** Resolves after `ms`, or as soon as the signal aborts; never rejects. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const wake = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    // setTimeout cannot wait forever (it caps at ~24.8 days); an endless wait needs no timer.
    const timer = Number.isFinite(ms) ? setTimeout(wake, ms) : undefined;
    signal?.addEventListener('abort', wake, { once: true });
  });
}
