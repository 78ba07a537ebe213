import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, UsageError, isNodeSystemError } from '../core/errors.js';
import type { Migration, Queryable, RunResult, SqlValue, Store } from './types.js';
import { applyMigrations } from './migrations.js';

/** `$1` → `?1`: SQLite's numbered parameters, bound from an object keyed by number. */
function translate(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

function bind(params: readonly SqlValue[]): Record<number, SqlValue> {
  const bound: Record<number, SqlValue> = {};
  params.forEach((value, index) => {
    bound[index + 1] = value;
  });
  return bound;
}

/**
 * A data folder that is a file, or a file that is not a SQLite database, is the user's setting at
 * fault: it is said so (exit 2 or 3) rather than reported as a Chartroom bug.
 */
function cannotOpen(error: unknown, location: string): unknown {
  if (isNodeSystemError(error) && (error.code === 'EEXIST' || error.code === 'ENOTDIR'))
    return new UsageError(
      `expected a folder but found a file: ${error.path ?? dirname(location)}`,
      'Pass a folder to --data-dir (or CHARTROOM_DATA), or a database file as --database sqlite:<file>.',
      error,
    );
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CANTOPEN')
    return new ConfigError(
      code === 'SQLITE_NOTADB'
        ? `${location} is not a SQLite database`
        : `cannot open the SQLite database ${location}`,
      code === 'SQLITE_NOTADB'
        ? 'Point --database or --data-dir at a Chartroom database, or move the file away to start a new one.'
        : 'It must be a file (or not exist yet) in a folder you may write: SQLite adds -wal and -shm files beside it.',
      error,
    );
  return error;
}

/**
 * The embedded default: one file under the data folder, WAL mode so the dashboard can read while
 * a controller writes. better-sqlite3 is synchronous; the async interface lets PostgreSQL share it.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  // One connection: async transactions must not interleave, so they queue here.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly location: string) {
    try {
      if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
      this.db = new Database(location);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
    } catch (error) {
      throw cannotOpen(error, location);
    }
  }

  private readonly direct: Queryable = {
    run: (sql, params = []) => Promise.resolve(this.runSync(sql, params)),
    all: <T extends object>(sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(this.db.prepare(translate(sql)).all(bind(params)) as T[]),
    get: <T extends object>(sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(this.db.prepare(translate(sql)).get(bind(params)) as T | undefined),
  };

  private runSync(sql: string, params: readonly SqlValue[]): RunResult {
    return { changes: this.db.prepare(translate(sql)).run(bind(params)).changes };
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    await this.queue;
    return this.direct.run(sql, params);
  }

  async all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.queue;
    return this.direct.all<T>(sql, params);
  }

  async get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    await this.queue;
    return this.direct.get<T>(sql, params);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async migrate(migrations: readonly Migration[]): Promise<string[]> {
    return this.transaction(async (tx) => {
      return applyMigrations(tx, migrations);
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
