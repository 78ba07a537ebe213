/**
 * One persistence interface for the server and the CLI's records (deploy history, previews,
 * access requests, alerts, scan results). SQL is written once, in a portable subset that both
 * SQLite and PostgreSQL accept:
 * - placeholders `$1, $2, …` (never `$` inside string literals);
 * - column types TEXT, INTEGER, REAL; timestamps as ISO-8601 TEXT; JSON as TEXT; booleans as
 *   INTEGER 0/1; ids as TEXT chosen by the caller (no SERIAL/AUTOINCREMENT);
 * - `INSERT … ON CONFLICT (…) DO UPDATE/NOTHING` and `RETURNING` work in both;
 * - wrap aggregates that PostgreSQL returns as bigint in `CAST(… AS INTEGER)`.
 */
export type SqlValue = string | number | null;

export interface Migration {
  /** Unique and stable forever, prefixed by the owning capability: `deploy-001-history`. */
  id: string;
  /** One or more statements separated by semicolons. */
  sql: string;
}

export interface RunResult {
  changes: number;
}

export interface Queryable {
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
}

export interface Store extends Queryable {
  readonly kind: 'sqlite' | 'postgres';
  /** A printable location without credentials. */
  readonly location: string;
  /** Applies, in order, each migration not applied before. Safe to call from several processes. */
  migrate(migrations: readonly Migration[]): Promise<string[]>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
