/**
 * Audit events from JSONL files, as the k8saudit plugin reads a path: one payload per line (an
 * Event, an EventList or an array), blank lines skipped; a directory means all its files, oldest
 * first. Bad lines are reported with their file and line number and do not stop the stream.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AuditPayloadError, parseAuditPayload, type ParsedAuditEvent } from './audit-events.js';

export interface LocatedEvent {
  file: string;
  line: number;
  parsed: ParsedAuditEvent;
}

/** The files behind a path: the file itself, or a directory's files by modification time. */
export async function jsonlFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => ({ path: join(path, e.name), mtime: (await stat(join(path, e.name))).mtimeMs })),
  );
  return files.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path)).map((f) => f.path);
}

/** Reads events line by line; `signal` stops the read between lines. */
export async function* readJsonlEvents(
  path: string,
  options: { signal?: AbortSignal; maxEventSize?: number } = {},
): AsyncGenerator<LocatedEvent> {
  for (const file of await jsonlFiles(path)) {
    const stream = createReadStream(file, { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of lines) {
        line++;
        options.signal?.throwIfAborted();
        if (text.trim() === '') continue;
        try {
          for (const parsed of parseAuditPayload(text, options)) yield { file, line, parsed };
        } catch (error) {
          if (!(error instanceof AuditPayloadError)) throw error;
          yield { file, line, parsed: { error: error.message } };
        }
      }
    } finally {
      lines.close();
      stream.destroy();
    }
  }
}
