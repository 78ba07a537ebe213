/**
 * nodes: how a node is taken away and what happens to its pods. The agent (IMDS, one per node)
 * and the queue watcher (EventBridge events in SQS) turn every kind of termination notice into a
 * taint, a cordon and a deadline-aware, PodDisruptionBudget-respecting drain; the audit finds the
 * fleet settings (AZRebalance, missing lifecycle hooks, …) that take nodes away unannounced.
 */
export { drainNode } from './drain/drain.js';
export type {
  BudgetView,
  DrainEvent,
  DrainOptions,
  DrainReport,
  PodEvicted,
  PodLeft,
  PodRef,
} from './drain/types.js';
export { parseDeadline, parseDuration, parseInterval, formatSeconds } from './duration.js';
export { NodesError } from './errors.js';
export { runAgent, type RunAgentOptions } from './agent/run.js';
export { Agent, type AgentMonitors, type AgentOptions, type AgentStatus } from './agent/agent.js';
export { ImdsClient, defaultImdsEndpoint, type ImdsClientOptions, type ImdsResult } from './imds/client.js';
export { ImdsError, type ImdsFailure } from './imds/errors.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
export { NodesMetrics } from './metrics.js';
export {
  defaultActions,
  noticeKinds,
  taintKeys,
  type Notice,
  type NoticeAction,
  type NoticeKind,
} from './notice.js';
export { noticeAnnotation, type NoticeOutcome } from './respond/respond.js';
export { WebhookNotifier, defaultWebhookTemplate, templateFields } from './respond/webhook.js';
export { parseHeaders, parseListenAddress, responderOptions, type ResponseSettings } from './service.js';
export { instanceIdOf, nodeForInstance, instanceIdAnnotation } from './instance.js';
export { watchQueue, regionOfQueueUrl, type WatchQueueOptions } from './queue/run.js';
export { parseQueueMessage, type QueueMessage } from './queue/events.js';
export type { HandledMessage } from './queue/watcher.js';
export { auditNodeGroups, type AuditOptions } from './audit/audit.js';
export type { AuditReport, Finding, NodeGroup, Severity } from './audit/model.js';
