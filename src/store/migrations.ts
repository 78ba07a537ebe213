export const migrationsTable =
  'CREATE TABLE IF NOT EXISTS chartroom_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)';

/** Splits a migration into statements on semicolons that end a line (no procedural SQL here). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}
