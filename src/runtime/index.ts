/**
 * Chartroom runtime: a Falco-compatible rules engine for Kubernetes audit events, and a sink for
 * the alerts of Falco agents. Rules files load as Falco reads them; conditions compile to indexed
 * predicates; alerts print as Falco prints them and go to the store, Slack and webhooks.
 */
import type { ServerPlugin } from '../server/index.js';

export { Runtime, compileRuntimeRules, readRulesFiles, defaultHostname } from './engine/runtime.js';
export type { RuntimeOptions, LoadOptions, ContextRules } from './engine/runtime.js';
export {
  Engine,
  isActive,
  type EngineOptions,
  type RuleMatching,
  type RuleSelection,
} from './engine/engine.js';
export { explainRule, layoutCondition, findRule, type RuleExplanation } from './engine/explain.js';
export { replayFiles, type ReplaySummary, type ReplayOptions } from './engine/replay.js';
export { AlertPipeline, type PipelineStats, type IngestResult } from './engine/pipeline.js';

export { loadRules, type LoadedRules, type RulesFile } from './rules/load.js';
export type { CompiledRule } from './rules/compile-rules.js';
export {
  RulesLoadError,
  formatWarning,
  formatLocation,
  type RulesWarning,
  type SourceLocation,
} from './rules/diagnostics.js';
export { priorities, parsePriority, atLeast, type Priority } from './rules/priority.js';
export { engineVersion, providedPlugins, formatVersion } from './rules/versions.js';

export { parseCondition, ConditionSyntaxError } from './parser/parser.js';
export { asString, type Expr } from './parser/ast.js';

export { defaultSources, k8sAuditSourceName, syscallSourceName } from './fields/sources.js';
export type { EventSourceDefinition, FieldInfo, RuntimeEvent } from './fields/types.js';

export {
  parseAuditPayload,
  auditEventsOf,
  AuditPayloadError,
  defaultMaxBatchSize,
  defaultMaxEventSize,
} from './inputs/audit-events.js';
export { readJsonlEvents } from './inputs/jsonl.js';
export { parseFalcoAlert, FalcoAlertError } from './inputs/falco-alerts.js';
export {
  runtimeRoutes,
  authenticationProblem,
  type IntakeAuth,
  type RuntimeRoutesOptions,
} from './inputs/http-routes.js';
export { startReceiver, type Receiver, type ReceiverOptions } from './inputs/receiver.js';

export {
  buildAlert,
  alertText,
  alertJson,
  alertJsonObject,
  type Alert,
  type JsonAlertOptions,
} from './outputs/alert.js';
export { PrinterSink, formatAlertLine } from './outputs/printer.js';
export { stringifyFalcoJson } from './outputs/falco-json.js';
export {
  AlertStore,
  StoreSink,
  runtimeMigrations,
  type RuleCount,
  type AlertQuery,
  type StoredAlert,
} from './outputs/alert-store.js';
export { slackSink, slackMessage, webhookSink } from './outputs/slack.js';
export { RateLimiter, type AlertSink, type SinkStats, type SinkPolicy } from './outputs/sink.js';

export { parseTestSpec, readTestSpec, type TestSpec, type TestCase } from './harness/spec.js';
export { runTestSpec, runTestCase, type CaseOutcome } from './harness/run.js';

/** The runtime part of `chartroom serve`, loaded on demand so that the CLI never loads the server. */
export async function runtimeServerPlugin(): Promise<ServerPlugin> {
  return (await import('./server.js')).runtimeServerPlugin();
}
