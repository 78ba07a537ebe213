/** The event stream of a deploy: what `--output json` prints and what previews subscribe to. */
import type { Recovery } from './recover/pending.js';
import type { Diagnosis, TrackerEvent, WorkloadProgress } from './tracker/types.js';

export type DeployEvent =
  | {
      type: 'start';
      app: string;
      env: string;
      release: string;
      namespace: string;
      chart: string;
      timeout: string;
      atomic: boolean;
      /** The values in Helm's order; sops files are marked, contents never appear. */
      values: { name: string; kind: string }[];
      at: string;
    }
  | { type: 'lock-wait'; holder: string; at: string }
  | { type: 'lock-acquired'; takeover?: string; at: string }
  | { type: 'recovered'; recovery: Recovery; at: string }
  | { type: 'helm-start'; pid: number; revisionBefore: number; at: string }
  | { type: 'helm-log'; line: string; at: string }
  | { type: 'helm-exit'; code: number | null; signal: string | null; at: string }
  | { type: 'stopping'; reason: string; at: string }
  | { type: 'done'; result: DeployOutcomeSummary; at: string }
  | TrackerEvent;

export interface DeployOutcomeSummary {
  status: 'succeeded' | 'failed' | 'interrupted';
  app: string;
  env: string;
  release: string;
  namespace: string;
  revision: number | undefined;
  /** Helm's status of the release afterwards (deployed, failed, …). */
  releaseStatus: string | undefined;
  durationMs: number;
  valuesDigest: string;
  commit: string | undefined;
  who: string;
  historyId: string;
  recovery: Recovery | undefined;
  diagnosis: Diagnosis | undefined;
  workloads: WorkloadProgress[];
  /** The chart's NOTES.txt as rendered for this release (redacted). */
  notes: string | undefined;
}

export const now = (): string => new Date().toISOString();
