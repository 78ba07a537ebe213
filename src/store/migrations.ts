import type { Migration, Queryable } from './types.js';

const migrationsTable =
  'CREATE TABLE IF NOT EXISTS chartroom_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)';

/** Splits a migration into statements on semicolons that end a line (no procedural SQL here). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}

/**
 * Applies, inside the caller's transaction, each migration not applied before, in order, and
 * records it. Returns the ids applied now.
 */
export async function applyMigrations(tx: Queryable, migrations: readonly Migration[]): Promise<string[]> {
  await tx.run(migrationsTable);
  const applied = new Set(
    (await tx.all<{ id: string }>('SELECT id FROM chartroom_migrations')).map((row) => row.id),
  );
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    for (const statement of splitStatements(migration.sql)) await tx.run(statement);
    await tx.run('INSERT INTO chartroom_migrations (id, applied_at) VALUES ($1, $2)', [
      migration.id,
      new Date().toISOString(),
    ]);
    done.push(migration.id);
  }
  return done;
}
