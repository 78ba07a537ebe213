import { ConfigError, UsageError } from '../core/errors.js';
import type { KubeClient, NodeTaint } from '../kube/index.js';
import type { Logger } from './log.js';
import type { NodesMetrics } from './metrics.js';
import { defaultActions, type NoticeAction, type NoticeKind } from './notice.js';
import type { ResponderOptions } from './respond/respond.js';
import { WebhookNotifier } from './respond/webhook.js';

/** The settings the agent and the queue watcher share: how to answer a notice. */
export interface ResponseSettings {
  actions?: Partial<Record<NoticeKind, NoticeAction>>;
  deleteEmptyDirData?: boolean;
  force?: boolean;
  gracePeriodSeconds?: number;
  retryIntervalMs?: number;
  taintEffect?: NodeTaint['effect'];
  deadlineMarginMs?: number;
  drainTimeoutMs?: number;
  webhook?: { url: string; template?: string; headers?: Record<string, string> };
}

/**
 * Fills in the defaults of a long-running handler: drain everything but rebalance
 * recommendations, evict emptyDir and unmanaged pods (the instance is going away regardless),
 * finish 10s before the instance goes, and never take more than two minutes.
 */
export function responderOptions(
  settings: ResponseSettings,
  deps: { client: KubeClient; log: Logger; metrics?: NodesMetrics; component: string },
): ResponderOptions {
  return {
    client: deps.client,
    log: deps.log,
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
    ...(settings.webhook === undefined ? {} : { notifier: new WebhookNotifier(settings.webhook) }),
    actions: { ...defaultActions, ...settings.actions },
    deleteEmptyDirData: settings.deleteEmptyDirData ?? true,
    force: settings.force ?? true,
    ...(settings.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: settings.gracePeriodSeconds }),
    ...(settings.retryIntervalMs === undefined ? {} : { retryIntervalMs: settings.retryIntervalMs }),
    taintEffect: settings.taintEffect ?? 'NoSchedule',
    deadlineMarginMs: settings.deadlineMarginMs ?? 10_000,
    drainTimeoutMs: settings.drainTimeoutMs ?? 120_000,
    component: deps.component,
  };
}

/** `Name: value` header flags, as curl takes them. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon <= 0)
      throw new UsageError(
        `--webhook-header "${value}" is not "Name: value"`,
        'e.g. --webhook-header "Authorization: Bearer …"',
      );
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return headers;
}

/** `host:port` for the metrics server; `off` turns it off. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  if (text === 'off') return undefined;
  const match = /^(.*):(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`--metrics-address "${text}" is not host:port`, 'e.g. 0.0.0.0:9092, :9092, or off');
  }
  const host = match[1] === '' ? '0.0.0.0' : (match[1] ?? '0.0.0.0');
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
}
