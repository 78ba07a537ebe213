/**
 * The `evt.*` fields every Falco source has (libsinsp's generic event fields): event number,
 * times in several formats, source, plugin name and hostname.
 */
import type { EventSourceContext, FieldDefinition, FieldType, FieldValue, RuntimeEvent } from './types.js';

const NS = 1_000_000_000n;

const pad = (n: number | bigint, width = 2) => n.toString().padStart(width, '0');

/** The local UTC offset in seconds, taken once per call like libsinsp's gmt2local(0) (offset of "now"). */
function localOffsetSeconds(): number {
  return -new Date().getTimezoneOffset() * 60;
}

/** `HH:MM:SS[.nnnnnnnnn]`, optionally prefixed by `YYYY-MM-DD `, in local time. */
export function formatLocalTime(ts: bigint, options: { date: boolean; ns: boolean }): string {
  const seconds = Number(ts / NS) + localOffsetSeconds();
  const nanos = ts % NS;
  const dayStart = seconds - (((seconds % 86400) + 86400) % 86400);
  const s = seconds - dayStart;
  let out = '';
  if (options.date) {
    const d = new Date(dayStart * 1000);
    out = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `;
  }
  out += `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return options.ns ? `${out}.${pad(nanos, 9)}` : out;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn` in UTC, with the given suffix (`Z` or `+0000`). */
export function formatIsoTime(ts: bigint, suffix: string): string {
  const d = new Date(Number(ts / NS) * 1000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}.${pad(ts % NS, 9)}${suffix}`;
}

interface SourceIdentity {
  name: string;
  pluginName?: string;
  describeEvent?(event: RuntimeEvent): string;
}

export function genericFields(context: EventSourceContext, source: SourceIdentity): FieldDefinition[] {
  const field = (
    name: string,
    type: FieldType,
    description: string,
    read: (event: RuntimeEvent) => FieldValue | undefined,
  ): FieldDefinition => ({ name, type, list: false, description, bind: () => read });
  const firstTs = (event: RuntimeEvent) => context.firstEventTs ?? event.ts;
  return [
    field('evt.num', 'uint64', 'The event number.', (e) => BigInt(e.num)),
    field('evt.time', 'string', 'The event time as HH:MM:SS.nnnnnnnnn (local time).', (e) =>
      formatLocalTime(e.ts, { date: false, ns: true }),
    ),
    field('evt.time.s', 'string', 'The event time as HH:MM:SS (local time).', (e) =>
      formatLocalTime(e.ts, { date: false, ns: false }),
    ),
    field('evt.time.iso8601', 'string', 'The event time in ISO 8601 with nanoseconds, UTC.', (e) =>
      formatIsoTime(e.ts, '+0000'),
    ),
    field(
      'evt.datetime',
      'string',
      'The event date and time, YYYY-MM-DD HH:MM:SS.nnnnnnnnn (local time).',
      (e) => formatLocalTime(e.ts, { date: true, ns: true }),
    ),
    field('evt.datetime.s', 'string', 'The event date and time, YYYY-MM-DD HH:MM:SS (local time).', (e) =>
      formatLocalTime(e.ts, { date: true, ns: false }),
    ),
    field('evt.rawtime', 'abstime', 'The event time in nanoseconds since the epoch.', (e) => e.ts),
    field('evt.rawtime.s', 'abstime', 'The seconds part of the event time.', (e) => e.ts / NS),
    field('evt.rawtime.ns', 'abstime', 'The nanoseconds part of the event time.', (e) => e.ts % NS),
    field('evt.reltime', 'reltime', 'Nanoseconds since the first event.', (e) => e.ts - firstTs(e)),
    field('evt.reltime.s', 'reltime', 'Seconds since the first event.', (e) => (e.ts - firstTs(e)) / NS),
    field(
      'evt.reltime.ns',
      'reltime',
      'The nanoseconds part of the time since the first event.',
      (e) => (e.ts - firstTs(e)) % NS,
    ),
    field(
      'evt.pluginname',
      'string',
      'The name of the plugin that produces this source.',
      () => source.pluginName,
    ),
    field('evt.plugininfo', 'string', 'A summary of the event, as the plugin renders it.', (e) =>
      source.describeEvent?.(e),
    ),
    field('evt.source', 'string', 'The name of the event source.', () => source.name),
    field(
      'evt.is_async',
      'bool',
      'Whether the event is asynchronous (never, for these sources).',
      () => false,
    ),
    field(
      'evt.asynctype',
      'string',
      'The type of an asynchronous event (not available here).',
      () => undefined,
    ),
    field(
      'evt.hostname',
      'string',
      'The hostname of the machine that received the event.',
      () => context.hostname,
    ),
  ];
}
