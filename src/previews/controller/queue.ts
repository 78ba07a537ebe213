/**
 * The controller's work queue, keyed by preview (namespace), in the manner of client-go's
 * workqueue:
 * - a key is queued at most once, however often it is added;
 * - a key is never worked on twice at once: added while running, it is marked dirty and runs
 *   again when the current run ends (so a push during a deploy is coalesced into one more run
 *   that sees the newest commit, never one per push);
 * - at most `concurrency` keys run at once;
 * - a running key's work can be cancelled (teardown stops a deploy of the same preview).
 */
export interface QueueStats {
  queued: number;
  running: number;
  /** The most keys that ever ran at once. */
  maxRunning: number;
}

export interface KeyedQueueOptions {
  concurrency: number;
  work: (key: string, signal: AbortSignal) => Promise<void>;
  /** A run that threw (the key is not retried here; the controller's resync retries). */
  onError?: (key: string, error: unknown) => void;
  onChange?: (stats: QueueStats) => void;
}

export class KeyedQueue {
  private readonly pending: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, AbortController>();
  private readonly dirty = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private maxRunning = 0;
  private stopped = false;

  constructor(private readonly options: KeyedQueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.pending.push(key);
    this.pump();
  }

  /** Aborts the run of `key` if one is in progress (it runs again if added meanwhile). */
  cancel(key: string, reason: string): boolean {
    const controller = this.running.get(key);
    if (controller === undefined) return false;
    controller.abort(new Error(reason));
    return true;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  stats(): QueueStats {
    return { queued: this.pending.length, running: this.running.size, maxRunning: this.maxRunning };
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, aborts what runs, and waits for it to finish. */
  async stop(reason = 'stopping'): Promise<void> {
    this.stopped = true;
    this.pending.length = 0;
    this.queued.clear();
    this.dirty.clear();
    for (const controller of this.running.values()) controller.abort(new Error(reason));
    await this.idle();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.concurrency && this.pending.length > 0) {
      const key = this.pending.shift();
      if (key === undefined) break;
      this.queued.delete(key);
      const controller = new AbortController();
      this.running.set(key, controller);
      this.maxRunning = Math.max(this.maxRunning, this.running.size);
      this.changed();
      void this.options
        .work(key, controller.signal)
        .catch((error: unknown) => {
          this.options.onError?.(key, error);
        })
        .finally(() => {
          this.running.delete(key);
          if (this.dirty.delete(key)) this.add(key);
          this.changed();
          this.pump();
          if (this.pending.length === 0 && this.running.size === 0) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
        });
    }
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.(this.stats());
  }
}
