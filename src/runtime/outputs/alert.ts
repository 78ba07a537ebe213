/**
 * An alert: what a matching rule produces (or what a Falco agent sent us), and its two printed
 * forms exactly as Falco prints them — the text line `HH:MM:SS.nnnnnnnnn: Priority message` and the
 * JSON object of `json_output: true`.
 */
import { formatIsoTime, formatLocalTime } from '../fields/generic.js';
import type { RuntimeEvent } from '../fields/types.js';
import type { CompiledRule } from '../rules/compile-rules.js';
import type { Priority } from '../rules/priority.js';
import { jsonString, stringifyFalcoJson, type FalcoJsonValue } from './falco-json.js';
import type { OutputFieldValue } from './template.js';

export interface Alert {
  /** Event time, nanoseconds since the epoch. */
  time: bigint;
  rule: string;
  priority: Priority;
  source: string;
  hostname: string;
  /** Sorted and unique. */
  tags: string[];
  /** The full line, prefix included: `13:53:31.726060287: Warning Pod started …`. */
  output: string;
  /** The rule's output only. */
  message: string;
  outputFields: Record<string, OutputFieldValue>;
  /** `chartroom` when Chartroom's engine raised it, `falco` when a Falco agent sent it. */
  origin: 'chartroom' | 'falco';
}

export interface AlertOptions {
  hostname: string;
  /** Falco's time_format_iso_8601: prefix lines with the ISO time instead of the local time of day. */
  timeFormatIso8601?: boolean;
}

export function buildAlert(rule: CompiledRule, event: RuntimeEvent, options: AlertOptions): Alert {
  const iso = options.timeFormatIso8601 === true;
  const prefix = iso
    ? formatIsoTime(event.ts, '+0000')
    : formatLocalTime(event.ts, { date: false, ns: true });
  const message = rule.output.render(event);
  const outputFields = rule.output.values(event);
  outputFields[iso ? 'evt.time.iso8601' : 'evt.time'] = event.ts;
  return {
    time: event.ts,
    rule: rule.name,
    priority: rule.priority,
    source: rule.source,
    hostname: options.hostname,
    tags: rule.tags,
    output: `${prefix}: ${rule.priority} ${message}`,
    message,
    outputFields,
    origin: 'chartroom',
  };
}

/** The alert's text line as Falco prints it: JSON-string escaping without the quotes. */
export function alertText(alert: Alert): string {
  return jsonString(alert.output).slice(1, -1);
}

export interface JsonAlertOptions {
  includeOutput?: boolean;
  includeTags?: boolean;
  includeMessage?: boolean;
  includeOutputFields?: boolean;
}

/** The object of Falco's JSON output (keys sorted, as Falco serializes it). */
export function alertJsonObject(
  alert: Alert,
  options: JsonAlertOptions = {},
): Record<string, FalcoJsonValue> {
  return {
    hostname: alert.hostname,
    ...(options.includeOutput === false ? {} : { output: alert.output }),
    ...(options.includeOutputFields === false ? {} : { output_fields: alert.outputFields }),
    ...(options.includeMessage === true ? { message: alert.message } : {}),
    priority: alert.priority,
    rule: alert.rule,
    source: alert.source,
    ...(options.includeTags === false ? {} : { tags: alert.tags }),
    time: formatIsoTime(alert.time, 'Z'),
  };
}

export function alertJson(alert: Alert, options: JsonAlertOptions = {}): string {
  return stringifyFalcoJson(alertJsonObject(alert, options));
}
