import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../core/errors.js';

/** Fields a webhook template may use, as `{{ .Name }}` (aws-node-termination-handler's names). */
export const templateFields = [
  'EventID',
  'Kind',
  'InstanceID',
  'NodeName',
  'Description',
  'StartTime',
  'Action',
  'Message',
] as const;
export type TemplateField = (typeof templateFields)[number];
export type WebhookMessage = Record<TemplateField, string>;

/** Slack's (and Mattermost's, and Teams' legacy) incoming-webhook shape. */
export const defaultWebhookTemplate = '{"text":"{{ .Message }}"}';

export interface WebhookOptions {
  url: string;
  /** A JSON body with `{{ .Field }}` placeholders; values are JSON-escaped into it. */
  template?: string;
  headers?: Record<string, string>;
  attempts?: number;
  timeoutMs?: number;
}

const placeholder = /\{\{\s*\.(\w+)\s*\}\}/g;

/** Checks a template at start-up, so a typo fails the agent's launch rather than the 2am message. */
export function validateTemplate(template: string): void {
  for (const match of template.matchAll(placeholder)) {
    if (!(templateFields as readonly string[]).includes(match[1] ?? '')) {
      throw new ConfigError(
        `webhook template uses unknown field .${match[1] ?? ''}`,
        `Use one of: ${templateFields.map((f) => `.${f}`).join(', ')}.`,
      );
    }
  }
  const sample = render(template, Object.fromEntries(templateFields.map((f) => [f, 'x'])) as WebhookMessage);
  try {
    JSON.parse(sample);
  } catch {
    throw new ConfigError(
      'the webhook template is not JSON once filled in',
      'Put placeholders inside JSON strings, e.g. {"text":"{{ .Message }}"}.',
    );
  }
}

export function render(template: string, message: WebhookMessage): string {
  return template.replace(placeholder, (_all, field: string) =>
    JSON.stringify(message[field as TemplateField]).slice(1, -1),
  );
}

/**
 * Posts notices to Slack or any webhook. Failures are retried and then reported to the caller;
 * they never stop a drain.
 */
export class WebhookNotifier {
  private readonly template: string;

  constructor(private readonly options: WebhookOptions) {
    this.template = options.template ?? defaultWebhookTemplate;
    validateTemplate(this.template);
  }

  async send(
    message: WebhookMessage,
    signal?: AbortSignal,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const body = render(this.template, message);
    const attempts = this.options.attempts ?? 3;
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5_000);
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...this.options.headers },
          body,
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        if (response.ok) return { ok: true };
        error = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
        if (response.status < 500 && response.status !== 429) break;
      } catch (thrown) {
        signal?.throwIfAborted();
        error =
          thrown instanceof Error
            ? thrown.cause instanceof Error
              ? thrown.cause.message
              : thrown.message
            : String(thrown);
      }
      if (attempt < attempts) await sleep(500 * attempt, undefined, { signal });
    }
    return { ok: false, error };
  }
}
