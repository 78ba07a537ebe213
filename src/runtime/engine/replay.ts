/** Replays JSONL audit files (or stdin) through a runtime, alert by alert. */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AuditPayloadError, parseAuditPayload } from '../inputs/audit-events.js';
import { readJsonlEvents, type LocatedEvent } from '../inputs/jsonl.js';
import type { Alert } from '../outputs/alert.js';
import type { Runtime } from './runtime.js';

export interface ReplaySummary {
  events: number;
  alerts: number;
  /** Alerts per rule, most frequent first when listed. */
  counts: Record<string, number>;
  errors: number;
  seconds: number;
}

export interface ReplayOptions {
  signal?: AbortSignal;
  onAlert?(alert: Alert): void;
  onError?(message: string): void;
  /** Read this stream instead of a file when a path is `-`. */
  stdin?: Readable;
}

async function* stdinEvents(input: Readable, signal: AbortSignal | undefined): AsyncGenerator<LocatedEvent> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    signal?.throwIfAborted();
    if (text.trim() === '') continue;
    try {
      for (const parsed of parseAuditPayload(text)) yield { file: '<stdin>', line, parsed };
    } catch (error) {
      if (!(error instanceof AuditPayloadError)) throw error;
      yield { file: '<stdin>', line, parsed: { error: error.message } };
    }
  }
}

export async function replayFiles(
  runtime: Runtime,
  paths: readonly string[],
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const started = performance.now();
  const summary: ReplaySummary = { events: 0, alerts: 0, counts: {}, errors: 0, seconds: 0 };
  for (const path of paths) {
    const events =
      path === '-' && options.stdin !== undefined
        ? stdinEvents(options.stdin, options.signal)
        : readJsonlEvents(path, options.signal === undefined ? {} : { signal: options.signal });
    for await (const { file, line, parsed } of events) {
      if ('error' in parsed) {
        summary.errors++;
        options.onError?.(`${file}:${line}: ${parsed.error}`);
        continue;
      }
      summary.events++;
      for (const alert of runtime.process(parsed.event)) {
        summary.alerts++;
        summary.counts[alert.rule] = (summary.counts[alert.rule] ?? 0) + 1;
        options.onAlert?.(alert);
      }
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
