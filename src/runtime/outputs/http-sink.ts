/**
 * A sink that POSTs each alert to a URL, one at a time and in order: a bounded queue, retries with
 * backoff on network errors, 429 and 5xx (honouring Retry-After), no retry on other 4xx (the
 * payload itself was refused), and a timeout per attempt.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from './alert.js';
import { AlertGate, type AlertSink, type SinkPolicy, type SinkStats } from './sink.js';

export interface HttpRequestParts {
  body: string;
  headers: Record<string, string>;
}

export interface HttpSinkOptions extends SinkPolicy {
  name: string;
  url: string;
  /** Builds the request for an alert; `suppressed` alerts were held back by the rate limit before it. */
  request(alert: Alert, suppressed: number): HttpRequestParts;
  retries?: number;
  timeoutMs?: number;
  queueLimit?: number;
  /** First retry delay; doubles on each retry. */
  backoffMs?: number;
  signal?: AbortSignal;
  onError?(message: string): void;
}

export class HttpSink implements AlertSink {
  readonly name: string;
  private readonly gate: AlertGate;
  private readonly queue: HttpRequestParts[] = [];
  private pumping: Promise<void> | undefined;
  private delivered = 0;
  private dropped = 0;

  constructor(private readonly options: HttpSinkOptions) {
    this.name = options.name;
    this.gate = new AlertGate(options);
  }

  deliver(alert: Alert): void {
    if (!this.gate.admit(alert)) return;
    if (this.queue.length >= (this.options.queueLimit ?? 1000)) {
      this.dropped++;
      return;
    }
    this.queue.push(this.options.request(alert, this.gate.takeSuppressed()));
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      if (await this.send(next)) this.delivered++;
      else this.dropped++;
    }
  }

  private async send(request: HttpRequestParts): Promise<boolean> {
    const retries = this.options.retries ?? 3;
    let delay = this.options.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let retryAfter: number | undefined;
      try {
        const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 10_000)];
        if (this.options.signal !== undefined) signals.push(this.options.signal);
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...request.headers },
          body: request.body,
          signal: AbortSignal.any(signals),
        });
        const text = await response.text();
        if (response.ok) return true;
        problem = `HTTP ${response.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`;
        if (response.status !== 429 && response.status < 500) {
          this.options.onError?.(`${this.name}: refused: ${problem}`);
          return false;
        }
        const header = Number(response.headers.get('retry-after'));
        if (Number.isFinite(header) && header >= 0) retryAfter = header * 1000;
      } catch (error) {
        if (this.options.signal?.aborted === true) return false;
        problem = (error as Error).message;
      }
      if (attempt >= retries) {
        this.options.onError?.(`${this.name}: giving up after ${attempt + 1} attempts: ${problem}`);
        return false;
      }
      try {
        await sleep(
          retryAfter ?? delay,
          undefined,
          this.options.signal === undefined ? {} : { signal: this.options.signal },
        );
      } catch {
        return false;
      }
      delay *= 2;
    }
  }

  async close(): Promise<void> {
    await this.pumping;
  }

  stats(): SinkStats {
    return { delivered: this.delivered, ...this.gate.counts, dropped: this.dropped };
  }
}
