/**
 * The deploy capability: Helm deploys with secrets decrypted in memory (never written in clear),
 * one deploy per release at a time, recovery of releases left pending, and a rollout tracker that
 * explains failures — as `chartroom deploy` and as a library for previews and the server:
 *
 * ```ts
 * import { deploy, DeployFailedError } from '../deploy/index.js';
 * const result = await deploy({
 *   app: 'examples/webapp', env: 'staging', namespace: 'devopsstage',
 *   extraValues: [{ name: 'preview', values: { ingress: { host: 'devopsstage.example.com' } } }],
 *   signal, onEvent: (event) => log(event),
 * });
 * ```
 */
export { deploy, DeployFailedError, type DeployOptions, type DeployResult } from './run.js';
export { diffDeploy, type DeployDiff } from './diff/diff.js';
export type { ObjectDiff, ObjectChange } from './diff/objects.js';
export type { DeployEvent, DeployOutcomeSummary } from './events.js';
export type { PrepareOptions } from './prepare.js';
export {
  defaultThresholds,
  failureClasses,
  refText,
  type Diagnosis,
  type FailureClass,
  type Thresholds,
  type TrackerEvent,
  type WorkloadProgress,
  type WorkloadRef,
  type WorkloadState,
} from './tracker/types.js';
export { classTitles } from './tracker/diagnose.js';
export {
  appConfigFileName,
  loadAppConfig,
  resolveEnvironment,
  type AppConfig,
  type ResolvedEnvironment,
} from './config/load.js';
export type { AppConfigFile, DependencyConfig, EnvironmentConfig } from './config/schema.js';
export type { ExtraValues } from './values/assemble.js';
export type { Recovery } from './recover/pending.js';
export { deployHistory } from './history/query.js';
export {
  deployMigrations,
  type DeployOutcome,
  type DeployRecord,
  type HistoryFilter,
} from './history/history.js';
export { uninstall, type UninstallOptions } from './uninstall.js';
export { formatGoDuration, parseGoDuration, requireGoDuration } from './helm/duration.js';
