import type { KubeClient } from '../../kube/index.js';
import type { ImdsClientOptions } from '../imds/client.js';
import type { Logger } from '../log.js';
import { NodesMetrics } from '../metrics.js';
import type { NoticeOutcome } from '../respond/respond.js';
import { responderOptions, type ResponseSettings } from '../service.js';
import { Agent, type AgentMonitors } from './agent.js';
import { startMetricsServer } from './server.js';

export interface RunAgentOptions {
  client: KubeClient;
  nodeName: string;
  imds?: ImdsClientOptions;
  pollIntervalMs?: number;
  monitors?: Partial<AgentMonitors>;
  scheduledLeadMs?: number;
  uncordonAfterReboot?: boolean;
  settings: ResponseSettings;
  /** Where /metrics and /healthz listen; none: no server. */
  metrics?: { host: string; port: number };
  log: Logger;
  signal: AbortSignal;
  onReady?: (info: { metricsPort?: number }) => void;
  onOutcome?: (outcome: NoticeOutcome) => void;
}

/** Runs the agent with its metrics server until the signal aborts (SIGTERM when the pod stops). */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const metrics = new NodesMetrics();
  const agent = new Agent({
    responder: responderOptions(options.settings, {
      client: options.client,
      log: options.log,
      metrics,
      component: 'chartroom-nodes-agent',
    }),
    nodeName: options.nodeName,
    ...(options.imds === undefined ? {} : { imds: options.imds }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.monitors === undefined ? {} : { monitors: options.monitors }),
    ...(options.scheduledLeadMs === undefined ? {} : { scheduledLeadMs: options.scheduledLeadMs }),
    ...(options.uncordonAfterReboot === undefined
      ? {}
      : { uncordonAfterReboot: options.uncordonAfterReboot }),
    signal: options.signal,
    ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
  });
  const interval = options.pollIntervalMs ?? 2_000;
  const server =
    options.metrics === undefined
      ? undefined
      : await startMetricsServer({
          ...options.metrics,
          registry: metrics.registry,
          health: () => {
            const status = agent.status;
            const last = status.lastPollAt ?? status.startedAt;
            // Alive while polls keep coming; a stuck loop (not a failing IMDS) is unhealthy.
            const ok = Date.now() - last < Math.max(3 * interval, 30_000);
            return {
              ok,
              detail: {
                imds: status.imds,
                imdsMode: status.imdsMode,
                ...(status.lastImdsError === undefined ? {} : { lastImdsError: status.lastImdsError }),
                ...(status.instanceId === undefined ? {} : { instanceId: status.instanceId }),
                lastPollAt:
                  status.lastPollAt === undefined ? null : new Date(status.lastPollAt).toISOString(),
              },
            };
          },
        });
  try {
    options.onReady?.(server === undefined ? {} : { metricsPort: server.port });
    if (server !== undefined) options.log.info('metrics listening', { port: server.port });
    await agent.run();
  } finally {
    await server?.close();
  }
}
