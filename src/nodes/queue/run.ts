import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { SQSClient } from '@aws-sdk/client-sqs';
import { UsageError } from '../../core/errors.js';
import type { KubeClient } from '../../kube/index.js';
import { startMetricsServer } from '../agent/server.js';
import type { Logger } from '../log.js';
import { NodesMetrics } from '../metrics.js';
import { responderOptions, type ResponseSettings } from '../service.js';
import { QueueWatcher, type HandledMessage } from './watcher.js';

export interface WatchQueueOptions {
  client: KubeClient;
  queueUrl: string;
  /** Default: AWS_REGION / AWS_DEFAULT_REGION, else the region in the queue URL. */
  region?: string;
  workers?: number;
  waitTimeSeconds?: number;
  heartbeatIntervalMs?: number;
  settings: ResponseSettings;
  metrics?: { host: string; port: number };
  log: Logger;
  env?: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onReady?: (info: { metricsPort?: number }) => void;
  onHandled?: (result: HandledMessage) => void;
}

/** The region of `https://sqs.<region>.amazonaws.com/<account>/<name>` (and its legacy form). */
export function regionOfQueueUrl(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return (
      /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ??
      /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(host)?.[1]
    );
  } catch {
    return undefined;
  }
}

/**
 * Runs the queue watcher until the signal aborts. The AWS clients take credentials and endpoints
 * the standard way (environment, profile, IRSA/pod identity; AWS_ENDPOINT_URL_SQS and
 * AWS_ENDPOINT_URL_AUTO_SCALING for other endpoints).
 */
export async function watchQueue(options: WatchQueueOptions): Promise<void> {
  const env = options.env ?? process.env;
  if (!/^https?:\/\//.test(options.queueUrl)) {
    throw new UsageError(
      `--queue-url "${options.queueUrl}" is not a URL`,
      'Use the queue URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/node-events.',
    );
  }
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionOfQueueUrl(options.queueUrl);
  if (region === undefined) {
    throw new UsageError('no AWS region for the queue', 'Pass --region or set AWS_REGION.');
  }
  const metrics = new NodesMetrics();
  const sqs = new SQSClient({ region });
  const autoscaling = new AutoScalingClient({ region });
  const watcher = new QueueWatcher({
    queueUrl: options.queueUrl,
    sqs,
    autoscaling,
    responder: responderOptions(options.settings, {
      client: options.client,
      log: options.log,
      metrics,
      component: 'chartroom-nodes-queue',
    }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.waitTimeSeconds === undefined ? {} : { waitTimeSeconds: options.waitTimeSeconds }),
    ...(options.heartbeatIntervalMs === undefined
      ? {}
      : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    signal: options.signal,
    ...(options.onHandled === undefined ? {} : { onHandled: options.onHandled }),
  });
  const server =
    options.metrics === undefined
      ? undefined
      : await startMetricsServer({
          ...options.metrics,
          registry: metrics.registry,
          health: () => {
            // A receive returns at least every waitTimeSeconds; a loop silent for much longer is stuck.
            const limitMs = 3 * ((options.waitTimeSeconds ?? 20) + 10) * 1000;
            return {
              ok: Date.now() - watcher.lastPollAt < limitMs,
              detail: { queueUrl: options.queueUrl, lastPollAt: new Date(watcher.lastPollAt).toISOString() },
            };
          },
        });
  try {
    options.onReady?.(server === undefined ? {} : { metricsPort: server.port });
    await watcher.run();
  } finally {
    await server?.close();
    sqs.destroy();
    autoscaling.destroy();
  }
}
