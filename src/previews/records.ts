/**
 * What the server remembers about previews, in its store (SQLite or PostgreSQL). The cluster is
 * the truth about what should exist (labels and annotations on preview namespaces, see state.ts);
 * these rows are what the cluster cannot keep: deliveries seen, the order of pushes, every run
 * with its log, timings and diagnosis, and previews long gone.
 */
import { randomUUID } from 'node:crypto';
import type { Migration, SqlValue, Store } from '../store/index.js';
import type { Diagnosis } from '../deploy/index.js';

export const previewsMigrations: readonly Migration[] = [
  {
    id: 'previews-001-tables',
    sql: `
CREATE TABLE previews_deliveries (
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (source, id)
);
CREATE TABLE previews_pushes (
  app TEXT NOT NULL,
  branch TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  before_sha TEXT,
  pushed_at TEXT,
  received_at TEXT NOT NULL,
  PRIMARY KEY (app, branch, commit_sha)
);
CREATE INDEX previews_pushes_before ON previews_pushes (app, branch, before_sha);
CREATE TABLE previews_previews (
  namespace TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  repo TEXT NOT NULL,
  branch TEXT NOT NULL,
  label TEXT NOT NULL,
  host TEXT NOT NULL,
  url TEXT NOT NULL,
  release TEXT NOT NULL,
  status TEXT NOT NULL,
  desired_commit TEXT,
  deployed_commit TEXT,
  pushed_by TEXT,
  created_at TEXT NOT NULL,
  last_push_at TEXT,
  last_deploy_at TEXT,
  last_run_id TEXT,
  expires_at TEXT,
  removed_at TEXT,
  removed_reason TEXT,
  pending_commit TEXT,
  pending_pushed_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX previews_previews_branch ON previews_previews (app, branch);
CREATE TABLE previews_runs (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  app TEXT NOT NULL,
  branch TEXT NOT NULL,
  commit_sha TEXT,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  result TEXT NOT NULL,
  summary TEXT,
  diagnosis TEXT,
  timings TEXT,
  deploy_id TEXT,
  github_deployment_id TEXT,
  log TEXT NOT NULL
);
CREATE INDEX previews_runs_namespace ON previews_runs (namespace, started_at);
`,
  },
];

export type PreviewStatus =
  'queued' | 'deploying' | 'ready' | 'failed' | 'tearing-down' | 'removed' | 'refused';

export interface PreviewRow {
  namespace: string;
  app: string;
  repo: string;
  branch: string;
  label: string;
  host: string;
  url: string;
  release: string;
  status: PreviewStatus;
  desired_commit: string | null;
  deployed_commit: string | null;
  pushed_by: string | null;
  created_at: string;
  last_push_at: string | null;
  last_deploy_at: string | null;
  last_run_id: string | null;
  expires_at: string | null;
  removed_at: string | null;
  removed_reason: string | null;
  pending_commit: string | null;
  pending_pushed_at: string | null;
  updated_at: string;
}

export type RunKind = 'deploy' | 'teardown';
export type RunResult = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'abandoned';

/** Where the time of a push-to-ready went (milliseconds). */
export interface RunTimings {
  /** Push received by the server → Helm starts (queue, checkout, values, lock). */
  webhookToStart?: number | undefined;
  /** Push received → the controller starts the run (waiting for a slot). */
  queue?: number | undefined;
  /** Run start → Helm starts: checkout, quota, values decrypted in memory, release lock. */
  prepare?: number | undefined;
  /** Helm's process, start to exit (it waits for the rollout itself with --wait). */
  helm?: number | undefined;
  /** Helm start → Helm begins waiting: hooks (the migration Job) and applying the objects. */
  helmApply?: number | undefined;
  /** Helm begins waiting → every workload ready (Helm's wait, then the tracker's check). */
  rollout?: number | undefined;
  /** The run, from its start to ready. */
  deploy?: number | undefined;
  /** Push received → ready. */
  total?: number | undefined;
}

export interface RunRow {
  id: string;
  namespace: string;
  app: string;
  branch: string;
  commit_sha: string | null;
  kind: RunKind;
  reason: string;
  received_at: string | null;
  started_at: string;
  finished_at: string | null;
  result: RunResult;
  summary: string | null;
  diagnosis: string | null;
  timings: string | null;
  deploy_id: string | null;
  github_deployment_id: string | null;
  log: string;
}

export interface Run extends Omit<RunRow, 'diagnosis' | 'timings'> {
  diagnosis: Diagnosis | null;
  timings: RunTimings;
}

const now = (): string => new Date().toISOString();

export function toRun(row: RunRow): Run {
  return {
    ...row,
    diagnosis: row.diagnosis === null ? null : (JSON.parse(row.diagnosis) as Diagnosis),
    timings: row.timings === null ? {} : (JSON.parse(row.timings) as RunTimings),
  };
}

export class PreviewRecords {
  constructor(readonly store: Store) {}

  /** Remembers a delivery; false when it was seen before (a redelivery or a replay). */
  async firstDelivery(source: string, id: string): Promise<boolean> {
    const result = await this.store.run(
      'INSERT INTO previews_deliveries (source, id, received_at) VALUES ($1, $2, $3) ON CONFLICT (source, id) DO NOTHING',
      [source, id, now()],
    );
    return result.changes === 1;
  }

  /** Forgets a delivery whose processing failed, so the host's redelivery is processed. */
  async forgetDelivery(source: string, id: string): Promise<void> {
    await this.store.run('DELETE FROM previews_deliveries WHERE source = $1 AND id = $2', [source, id]);
  }

  async countDeliveries(): Promise<number> {
    const row = await this.store.get<{ n: number }>(
      'SELECT CAST(COUNT(*) AS INTEGER) AS n FROM previews_deliveries',
    );
    return row?.n ?? 0;
  }

  async recordPush(push: {
    app: string;
    branch: string;
    commit: string;
    before?: string | undefined;
    pushedAt?: string | undefined;
  }): Promise<void> {
    await this.store.run(
      `INSERT INTO previews_pushes (app, branch, commit_sha, before_sha, pushed_at, received_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (app, branch, commit_sha) DO NOTHING`,
      [push.app, push.branch, push.commit, push.before ?? null, push.pushedAt ?? null, now()],
    );
  }

  /** True when some recorded push went on top of `commit` (so a delivery of `commit` is stale). */
  async pushedOnTop(app: string, branch: string, commit: string): Promise<boolean> {
    const row = await this.store.get<{ commit_sha: string }>(
      'SELECT commit_sha FROM previews_pushes WHERE app = $1 AND branch = $2 AND before_sha = $3',
      [app, branch, commit],
    );
    return row !== undefined;
  }

  async prune(olderThan: Date): Promise<void> {
    const cutoff = olderThan.toISOString();
    await this.store.run('DELETE FROM previews_deliveries WHERE received_at < $1', [cutoff]);
    await this.store.run('DELETE FROM previews_pushes WHERE received_at < $1', [cutoff]);
  }

  async upsertPreview(row: Partial<PreviewRow> & Pick<PreviewRow, 'namespace'>): Promise<void> {
    const existing = await this.preview(row.namespace);
    const merged: Partial<PreviewRow> = { ...existing, ...row, updated_at: now() };
    merged.created_at ??= now();
    const columns = Object.keys(merged) as (keyof PreviewRow)[];
    const values = columns.map((column) => merged[column] ?? null) as SqlValue[];
    const placeholders = columns.map((_, index) => `$${index + 1}`).join(', ');
    const updates = columns
      .filter((column) => column !== 'namespace')
      .map((column) => `${column} = EXCLUDED.${column}`)
      .join(', ');
    await this.store.run(
      `INSERT INTO previews_previews (${columns.join(', ')}) VALUES (${placeholders}) ON CONFLICT (namespace) DO UPDATE SET ${updates}`,
      values,
    );
  }

  async preview(namespace: string): Promise<PreviewRow | undefined> {
    return this.store.get<PreviewRow>('SELECT * FROM previews_previews WHERE namespace = $1', [namespace]);
  }

  async previews(options: { includeRemoved?: boolean; app?: string } = {}): Promise<PreviewRow[]> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    if (options.includeRemoved !== true) clauses.push(`status NOT IN ('removed', 'refused')`);
    if (options.app !== undefined) {
      params.push(options.app);
      clauses.push(`app = $${params.length}`);
    }
    return this.store.all<PreviewRow>(
      `SELECT * FROM previews_previews ${clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`} ORDER BY COALESCE(last_push_at, created_at) DESC`,
      params,
    );
  }

  async startRun(run: {
    namespace: string;
    app: string;
    branch: string;
    commit: string | null;
    kind: RunKind;
    reason: string;
    receivedAt: string | null;
  }): Promise<string> {
    const id = randomUUID();
    await this.store.run(
      `INSERT INTO previews_runs (id, namespace, app, branch, commit_sha, kind, reason, received_at, started_at, result, log)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', '')`,
      [id, run.namespace, run.app, run.branch, run.commit, run.kind, run.reason, run.receivedAt, now()],
    );
    return id;
  }

  async updateRun(
    id: string,
    patch: {
      log?: string;
      result?: RunResult;
      summary?: string | null;
      diagnosis?: Diagnosis | null;
      timings?: RunTimings;
      deployId?: string | null;
      githubDeploymentId?: string | null;
      finished?: boolean;
    },
  ): Promise<void> {
    const sets: string[] = [];
    const params: SqlValue[] = [id];
    const set = (column: string, value: SqlValue): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.log !== undefined) set('log', patch.log);
    if (patch.result !== undefined) set('result', patch.result);
    if (patch.summary !== undefined) set('summary', patch.summary);
    if (patch.diagnosis !== undefined)
      set('diagnosis', patch.diagnosis === null ? null : JSON.stringify(patch.diagnosis));
    if (patch.timings !== undefined) set('timings', JSON.stringify(patch.timings));
    if (patch.deployId !== undefined) set('deploy_id', patch.deployId);
    if (patch.githubDeploymentId !== undefined) set('github_deployment_id', patch.githubDeploymentId);
    if (patch.finished === true) set('finished_at', now());
    if (sets.length === 0) return;
    await this.store.run(`UPDATE previews_runs SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  async run(id: string): Promise<Run | undefined> {
    const row = await this.store.get<RunRow>('SELECT * FROM previews_runs WHERE id = $1', [id]);
    return row === undefined ? undefined : toRun(row);
  }

  async runs(namespace: string, limit = 50): Promise<Run[]> {
    const rows = await this.store.all<RunRow>(
      'SELECT * FROM previews_runs WHERE namespace = $1 ORDER BY started_at DESC, id DESC LIMIT $2',
      [namespace, limit],
    );
    return rows.map(toRun);
  }

  async allRuns(filter: { kind?: RunKind } = {}): Promise<Run[]> {
    const rows = await this.store.all<RunRow>(
      `SELECT * FROM previews_runs ${filter.kind === undefined ? '' : 'WHERE kind = $1'} ORDER BY started_at`,
      filter.kind === undefined ? [] : [filter.kind],
    );
    return rows.map(toRun);
  }

  /** The last GitHub deployment made for a preview (to mark it inactive). */
  async lastGithubDeployment(namespace: string): Promise<string | undefined> {
    const row = await this.store.get<{ github_deployment_id: string }>(
      `SELECT github_deployment_id FROM previews_runs WHERE namespace = $1 AND github_deployment_id IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
      [namespace],
    );
    return row?.github_deployment_id;
  }

  /** Runs left `running` by a server that died: they ended when it did. */
  async abandonRunning(): Promise<number> {
    const result = await this.store.run(
      `UPDATE previews_runs SET result = 'abandoned', finished_at = $1, summary = COALESCE(summary, 'the server stopped during this run; the controller picked the work up again') WHERE result = 'running'`,
      [now()],
    );
    return result.changes;
  }
}
