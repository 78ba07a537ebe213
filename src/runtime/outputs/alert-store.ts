/**
 * Alerts kept in Chartroom's store (SQLite or PostgreSQL), written in batches, and the queries the
 * dashboard and CLI need: counts by rule over a window (the talk's table) and the alert stream
 * with filters. Times are ISO 8601 UTC with nanoseconds, which sort as text.
 */
import { randomUUID } from 'node:crypto';
import { formatIsoTime } from '../fields/generic.js';
import type { Migration, Store } from '../../store/index.js';
import { priorities, priorityRank, type Priority } from '../rules/priority.js';
import type { Alert } from './alert.js';
import { stringifyFalcoJson } from './falco-json.js';
import { AlertGate, type AlertSink, type SinkPolicy, type SinkStats } from './sink.js';
import { parseJsonWithBigInts } from '../inputs/falco-alerts.js';
import type { OutputFieldValue } from './template.js';

export const runtimeMigrations: readonly Migration[] = [
  {
    id: 'runtime-001-alerts',
    sql: `CREATE TABLE runtime_alerts (
            id TEXT PRIMARY KEY,
            time TEXT NOT NULL,
            received_at TEXT NOT NULL,
            rule TEXT NOT NULL,
            priority TEXT NOT NULL,
            priority_rank INTEGER NOT NULL,
            source TEXT NOT NULL,
            hostname TEXT NOT NULL,
            origin TEXT NOT NULL,
            output TEXT NOT NULL,
            output_fields TEXT NOT NULL,
            tags TEXT NOT NULL
          );
          CREATE INDEX runtime_alerts_time ON runtime_alerts (time);
          CREATE INDEX runtime_alerts_rule_time ON runtime_alerts (rule, time);`,
  },
];

interface AlertRow {
  id: string;
  time: string;
  received_at: string;
  rule: string;
  priority: string;
  source: string;
  hostname: string;
  origin: string;
  output: string;
  output_fields: string;
  tags: string;
}

export interface StoredAlert extends Alert {
  id: string;
  receivedAt: string;
}

export interface RuleCount {
  rule: string;
  source: string;
  priority: Priority;
  count: number;
  first: string;
  last: string;
}

export interface AlertQuery {
  since: Date;
  until?: Date;
  rule?: string;
  source?: string;
  minPriority?: Priority;
  origin?: 'chartroom' | 'falco';
  /** Substring of the output line. */
  search?: string;
  limit?: number;
}

function iso(date: Date): string {
  return formatIsoTime(BigInt(date.getTime()) * 1_000_000n, 'Z');
}

function toNanos(isoTime: string): bigint {
  const match = /^(.*)\.(\d{9})Z$/.exec(isoTime);
  if (match === null) return BigInt(Date.parse(isoTime)) * 1_000_000n;
  return BigInt(Date.parse(`${match[1] as string}Z`)) * 1_000_000n + BigInt(match[2] as string);
}

function whereClause(query: AlertQuery): { sql: string; params: (string | number)[] } {
  const params: (string | number)[] = [iso(query.since), iso(query.until ?? new Date(Date.now() + 60_000))];
  const where = ['time >= $1', 'time < $2'];
  const add = (sql: string, value: string | number) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.rule !== undefined) add('rule = ?', query.rule);
  if (query.source !== undefined) add('source = ?', query.source);
  if (query.minPriority !== undefined) add('priority_rank <= ?', priorityRank(query.minPriority));
  if (query.origin !== undefined) add('origin = ?', query.origin);
  if (query.search !== undefined && query.search !== '')
    add("output LIKE ? ESCAPE '\\'", `%${query.search.replace(/[\\%_]/g, '\\$&')}%`);
  return { sql: where.join(' AND '), params };
}

export class AlertStore {
  constructor(private readonly store: Store) {}

  async migrate(): Promise<void> {
    await this.store.migrate(runtimeMigrations);
  }

  async insert(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const receivedAt = new Date().toISOString();
    await this.store.transaction(async (tx) => {
      for (const alert of alerts) {
        await tx.run(
          `INSERT INTO runtime_alerts (id, time, received_at, rule, priority, priority_rank, source, hostname, origin, output, output_fields, tags)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            randomUUID(),
            formatIsoTime(alert.time, 'Z'),
            receivedAt,
            alert.rule,
            alert.priority,
            priorityRank(alert.priority),
            alert.source,
            alert.hostname,
            alert.origin,
            alert.output,
            stringifyFalcoJson(alert.outputFields),
            JSON.stringify(alert.tags),
          ],
        );
      }
    });
  }

  /** Alerts per rule in the window, most frequent first (the talk's "alerts by rule" table). */
  async countsByRule(query: AlertQuery): Promise<RuleCount[]> {
    const { sql, params } = whereClause(query);
    const rows = await this.store.all<{
      rule: string;
      source: string;
      rank: number;
      count: number;
      first: string;
      last: string;
    }>(
      `SELECT rule, source, CAST(MIN(priority_rank) AS INTEGER) AS rank, CAST(COUNT(*) AS INTEGER) AS count,
              MIN(time) AS first, MAX(time) AS last
         FROM runtime_alerts WHERE ${sql}
        GROUP BY rule, source ORDER BY count DESC, rule`,
      params,
    );
    return rows.map((r) => ({
      rule: r.rule,
      source: r.source,
      priority: priorities[r.rank] ?? 'Debug',
      count: r.count,
      first: r.first,
      last: r.last,
    }));
  }

  /** The most recent alerts matching the filters, newest first. */
  async alerts(query: AlertQuery): Promise<StoredAlert[]> {
    const { sql, params } = whereClause(query);
    params.push(Math.min(query.limit ?? 100, 10_000));
    const rows = await this.store.all<AlertRow>(
      `SELECT id, time, received_at, rule, priority, source, hostname, origin, output, output_fields, tags
         FROM runtime_alerts WHERE ${sql} ORDER BY time DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      receivedAt: r.received_at,
      time: toNanos(r.time),
      rule: r.rule,
      priority: (priorities as readonly string[]).includes(r.priority) ? (r.priority as Priority) : 'Debug',
      source: r.source,
      hostname: r.hostname,
      origin: r.origin === 'falco' ? 'falco' : 'chartroom',
      output: r.output,
      message: r.output.replace(/^\S+: \S+ /, ''),
      outputFields: parseJsonWithBigInts(r.output_fields) as Record<string, OutputFieldValue>,
      tags: JSON.parse(r.tags) as string[],
    }));
  }

  /** Deletes alerts older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    return (await this.store.run('DELETE FROM runtime_alerts WHERE time < $1', [iso(before)])).changes;
  }
}

/** A sink that writes alerts to the store in batches (one transaction per batch). */
export class StoreSink implements AlertSink {
  readonly name = 'store';
  private readonly gate: AlertGate;
  private pending: Alert[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private delivered = 0;
  private dropped = 0;

  constructor(
    private readonly alerts: AlertStore,
    private readonly options: SinkPolicy & {
      batchSize?: number;
      flushMs?: number;
      onError?(message: string): void;
    } = {},
  ) {
    this.gate = new AlertGate(options);
  }

  deliver(alert: Alert): void {
    if (!this.gate.admit(alert)) return;
    this.pending.push(alert);
    if (this.pending.length >= (this.options.batchSize ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 250);
  }

  /** Writes what is pending; resolves when it is in the store. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.alerts.insert(batch);
        this.delivered += batch.length;
      } catch (error) {
        this.dropped += batch.length;
        this.options.onError?.(`store: ${batch.length} alerts not saved: ${(error as Error).message}`);
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  stats(): SinkStats {
    return { delivered: this.delivered, ...this.gate.counts, dropped: this.dropped };
  }
}
