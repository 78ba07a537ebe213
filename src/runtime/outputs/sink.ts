/**
 * Where alerts go: the terminal, the store, Slack, a webhook. Delivery never blocks rule
 * evaluation — each sink queues and sends on its own — and each sink can have a minimum priority
 * and a rate limit, so a noisy rule cannot flood a channel.
 */
import { atLeast, type Priority } from '../rules/priority.js';
import type { Alert } from './alert.js';

export interface AlertSink {
  readonly name: string;
  /** Takes an alert; returns at once. */
  deliver(alert: Alert): void;
  /** Sends what is queued, then stops. */
  close(): Promise<void>;
  stats(): SinkStats;
}

export interface SinkStats {
  delivered: number;
  /** Below the sink's minimum priority. */
  filtered: number;
  /** Over the rate limit. */
  suppressed: number;
  /** Queue full, or failed after retries. */
  dropped: number;
}

/**
 * A token bucket: `rate` alerts per second on average, bursts of up to `burst`. The same scheme
 * Falco's outputs used (`outputs.rate`/`outputs.max_burst`).
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface SinkPolicy {
  minPriority?: Priority;
  /** Alerts per second; unlimited when absent. */
  rate?: number;
  burst?: number;
}

/** Applies a sink's minimum priority and rate limit; counts what it holds back. */
export class AlertGate {
  private readonly limiter: RateLimiter | undefined;
  readonly counts = { filtered: 0, suppressed: 0 };
  /** Suppressed since the last alert let through (for "N more were suppressed" notes). */
  suppressedSinceLast = 0;

  constructor(private readonly policy: SinkPolicy) {
    this.limiter =
      policy.rate === undefined
        ? undefined
        : new RateLimiter(policy.rate, policy.burst ?? Math.max(1, Math.ceil(policy.rate)));
  }

  admit(alert: Alert): boolean {
    if (this.policy.minPriority !== undefined && !atLeast(alert.priority, this.policy.minPriority)) {
      this.counts.filtered++;
      return false;
    }
    if (this.limiter !== undefined && !this.limiter.take()) {
      this.counts.suppressed++;
      this.suppressedSinceLast++;
      return false;
    }
    return true;
  }

  /** Returns and resets the count of alerts suppressed before this one. */
  takeSuppressed(): number {
    const n = this.suppressedSinceLast;
    this.suppressedSinceLast = 0;
    return n;
  }
}
