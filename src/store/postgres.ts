import pg from 'pg';
import type { Migration, Queryable, RunResult, SqlValue, Store } from './types.js';
import { applyMigrations } from './migrations.js';

// Counts and sums come back as int8/numeric text; the store's contract is plain numbers.
// (Process-wide, but the store is this process's only user of pg.)
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      const result = await client.query({ text: sql, values: [...params] });
      return { changes: result.rowCount ?? 0 };
    },
    async all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      const result = await client.query({ text: sql, values: [...params] });
      return result.rows as T[];
    },
    async get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
      const result = await client.query({ text: sql, values: [...params] });
      return result.rows[0] as T | undefined;
    },
  };
}

/** The shared option for teams running several servers: one PostgreSQL database. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly direct: Queryable;

  constructor(url: string) {
    const parsed = new URL(url);
    parsed.password = parsed.password === '' ? '' : '***';
    this.location = parsed.toString();
    this.pool = new pg.Pool({ connectionString: url, max: 5 });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.direct = queryable(this.pool);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.direct.run(sql, params);
  }
  all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }
  get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<string[]> {
    return this.transaction(async (tx) => {
      // Several servers may start at once; one migrates while the others wait on this lock.
      await tx.run('SELECT pg_advisory_xact_lock(4242001)');
      return applyMigrations(tx, migrations);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
