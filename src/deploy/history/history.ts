/**
 * Every deploy, recorded in the store the server uses (SQLite by default): who deployed which
 * commit of which app to which release, with a digest of the values (never the values), how long
 * it took, how it ended and why. A row is written when the deploy starts, so a deploy killed
 * mid-way still shows up; the next deploy of the release marks it abandoned.
 */
import { randomUUID } from 'node:crypto';
import type { Migration, Queryable, SqlValue, Store } from '../../store/index.js';
import type { Recovery } from '../recover/pending.js';
import type { Diagnosis } from '../tracker/types.js';

export const deployMigrations: readonly Migration[] = [
  {
    id: 'deploy-001-history',
    sql: `
CREATE TABLE deploy_history (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  env TEXT NOT NULL,
  release TEXT NOT NULL,
  namespace TEXT NOT NULL,
  cluster TEXT NOT NULL,
  chart TEXT NOT NULL,
  revision INTEGER,
  commit_sha TEXT,
  values_digest TEXT NOT NULL,
  who TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  duration_ms INTEGER,
  result TEXT NOT NULL,
  diagnosis TEXT,
  recovery TEXT
);
CREATE INDEX deploy_history_release ON deploy_history (cluster, namespace, release, started_at);
CREATE INDEX deploy_history_app ON deploy_history (app, env, started_at);
`,
  },
];

export type DeployOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'abandoned';

export interface DeployRecord {
  id: string;
  app: string;
  env: string;
  release: string;
  namespace: string;
  cluster: string;
  chart: string;
  revision: number | null;
  commit: string | null;
  valuesDigest: string;
  who: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  result: DeployOutcome;
  diagnosis: Diagnosis | null;
  recovery: Recovery | null;
}

interface Row {
  id: string;
  app: string;
  env: string;
  release: string;
  namespace: string;
  cluster: string;
  chart: string;
  revision: number | null;
  commit_sha: string | null;
  values_digest: string;
  who: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  result: string;
  diagnosis: string | null;
  recovery: string | null;
}

function fromRow(row: Row): DeployRecord {
  return {
    id: row.id,
    app: row.app,
    env: row.env,
    release: row.release,
    namespace: row.namespace,
    cluster: row.cluster,
    chart: row.chart,
    revision: row.revision,
    commit: row.commit_sha,
    valuesDigest: row.values_digest,
    who: row.who,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    result: row.result as DeployOutcome,
    diagnosis: row.diagnosis === null ? null : (JSON.parse(row.diagnosis) as Diagnosis),
    recovery: row.recovery === null ? null : (JSON.parse(row.recovery) as Recovery),
  };
}

export interface HistoryFilter {
  app?: string;
  env?: string;
  release?: string;
  namespace?: string;
  limit?: number;
}

export class DeployHistory {
  private constructor(private readonly db: Queryable) {}

  static async open(store: Store): Promise<DeployHistory> {
    await store.migrate(deployMigrations);
    return new DeployHistory(store);
  }

  async start(
    entry: Omit<DeployRecord, 'id' | 'finishedAt' | 'durationMs' | 'result' | 'diagnosis' | 'revision'>,
  ): Promise<string> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO deploy_history (id, app, env, release, namespace, cluster, chart, revision, commit_sha, values_digest, who, started_at, result, recovery)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, 'running', $12)`,
      [
        id,
        entry.app,
        entry.env,
        entry.release,
        entry.namespace,
        entry.cluster,
        entry.chart,
        entry.commit,
        entry.valuesDigest,
        entry.who,
        entry.startedAt,
        entry.recovery === null ? null : JSON.stringify(entry.recovery),
      ],
    );
    return id;
  }

  async finish(
    id: string,
    outcome: {
      result: Exclude<DeployOutcome, 'running'>;
      revision: number | undefined;
      diagnosis: Diagnosis | undefined;
      finishedAt: Date;
      durationMs: number;
    },
  ): Promise<void> {
    await this.db.run(
      `UPDATE deploy_history SET result = $2, revision = $3, diagnosis = $4, finished_at = $5, duration_ms = $6 WHERE id = $1`,
      [
        id,
        outcome.result,
        outcome.revision ?? null,
        outcome.diagnosis === undefined ? null : JSON.stringify(outcome.diagnosis),
        outcome.finishedAt.toISOString(),
        Math.round(outcome.durationMs),
      ],
    );
  }

  /** Deploys of this release still `running` belong to processes that died: mark them. */
  async markAbandoned(where: {
    cluster: string;
    namespace: string;
    release: string;
    exceptId: string;
  }): Promise<number> {
    const result = await this.db.run(
      `UPDATE deploy_history SET result = 'abandoned' WHERE result = 'running' AND cluster = $1 AND namespace = $2 AND release = $3 AND id <> $4`,
      [where.cluster, where.namespace, where.release, where.exceptId],
    );
    return result.changes;
  }

  async list(filter: HistoryFilter = {}): Promise<DeployRecord[]> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    for (const [column, value] of [
      ['app', filter.app],
      ['env', filter.env],
      ['release', filter.release],
      ['namespace', filter.namespace],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      clauses.push(`${column} = $${params.length}`);
    }
    params.push(filter.limit ?? 20);
    const rows = await this.db.all<Row>(
      `SELECT * FROM deploy_history ${clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`} ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }
}
