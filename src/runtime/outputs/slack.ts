/**
 * Alerts to Slack through an incoming webhook: the Falco line as the message text, and an
 * attachment coloured by priority with the rule, priority, source, host, tags, time and the
 * alert's output fields — the layout Falco users know from falcosidekick.
 */
import { createHmac } from 'node:crypto';
import { formatIsoTime } from '../fields/generic.js';
import type { Priority } from '../rules/priority.js';
import type { Alert } from './alert.js';
import { stringifyFalcoJson } from './falco-json.js';
import { HttpSink, type HttpRequestParts, type HttpSinkOptions } from './http-sink.js';

const colors: Record<Priority, string> = {
  Emergency: '#b01010',
  Alert: '#d63a0c',
  Critical: '#e8590c',
  Error: '#f08c00',
  Warning: '#f2c12e',
  Notice: '#2f9e44',
  Informational: '#1c7ed6',
  Debug: '#868e96',
};

export interface SlackOptions extends Omit<HttpSinkOptions, 'name' | 'request' | 'url'> {
  webhookUrl: string;
  /** Overrides the webhook's channel and name, where the webhook allows it. */
  channel?: string;
  username?: string;
  iconUrl?: string;
}

function fieldText(value: unknown): string {
  if (value === null) return '<NA>';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return stringifyFalcoJson(value as never);
}

export function slackMessage(
  alert: Alert,
  suppressed: number,
  options: Pick<SlackOptions, 'channel' | 'username' | 'iconUrl'> = {},
): object {
  const short = (title: string, value: string) => ({ title, value, short: value.length < 40 });
  const fields = [
    short('rule', alert.rule),
    short('priority', alert.priority),
    short('source', alert.source),
    short('hostname', alert.hostname || '-'),
    ...(alert.tags.length > 0 ? [short('tags', alert.tags.join(', '))] : []),
    short('time', formatIsoTime(alert.time, 'Z')),
    ...Object.entries(alert.outputFields)
      .filter(([key]) => key !== 'evt.time' && key !== 'evt.time.iso8601')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => short(key, fieldText(value))),
  ];
  const note =
    suppressed > 0
      ? ` (${suppressed} earlier alert${suppressed === 1 ? '' : 's'} suppressed by the rate limit)`
      : '';
  return {
    text: `${alert.priority}: ${alert.rule}${note}`,
    ...(options.channel === undefined ? {} : { channel: options.channel }),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.iconUrl === undefined ? {} : { icon_url: options.iconUrl }),
    attachments: [
      {
        fallback: alert.output,
        color: colors[alert.priority],
        text: alert.output,
        fields,
        footer: `Chartroom · ${alert.origin === 'falco' ? 'Falco agent' : 'Chartroom rules'}`,
        ts: Number(alert.time / 1_000_000_000n),
      },
    ],
  };
}

export function slackSink(options: SlackOptions): HttpSink {
  return new HttpSink({
    ...options,
    name: 'slack',
    url: options.webhookUrl,
    request: (alert, suppressed): HttpRequestParts => ({
      body: JSON.stringify(slackMessage(alert, suppressed, options)),
      headers: {},
    }),
  });
}

export interface WebhookOptions extends Omit<HttpSinkOptions, 'name' | 'request'> {
  headers?: Record<string, string>;
  /** When set, `X-Chartroom-Signature-256: sha256=<HMAC of the body>` lets the receiver verify the sender. */
  secret?: string;
}

/** Alerts as Falco JSON objects (what Falco's http_output and falcosidekick's webhook send). */
export function webhookSink(options: WebhookOptions, format: (alert: Alert) => string): HttpSink {
  return new HttpSink({
    ...options,
    name: 'webhook',
    request: (alert, suppressed): HttpRequestParts => {
      const body = format(alert);
      const headers: Record<string, string> = { ...options.headers };
      if (suppressed > 0) headers['x-chartroom-suppressed'] = String(suppressed);
      if (options.secret !== undefined) {
        headers['x-chartroom-signature-256'] =
          `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
      }
      return { body, headers };
    },
  });
}
