/**
 * Persistence for Chartroom: SQLite under a data folder by default (nothing to install),
 * PostgreSQL when given a `postgres://` URL. See types.ts for the SQL subset both accept.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Store } from './types.js';

export type { Migration, Queryable, RunResult, SqlValue, Store } from './types.js';

export interface OpenStoreOptions {
  /** `postgres://…`, `postgresql://…`, `sqlite:<path>`, `sqlite::memory:`; default: SQLite in dataDir. */
  url?: string;
  /** Folder for the SQLite file; default `$CHARTROOM_DATA` or `~/.local/share/chartroom`. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHARTROOM_DATA !== undefined) return env.CHARTROOM_DATA;
  const xdg = env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), '.local', 'share');
  return join(xdg, 'chartroom');
}

export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.url ?? options.env?.CHARTROOM_DATABASE_URL;
  if (url === undefined || url === '') {
    const { SqliteStore } = await import('./sqlite.js');
    return new SqliteStore(join(options.dataDir ?? defaultDataDir(options.env), 'chartroom.db'));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres.js');
    return new PostgresStore(url);
  }
  if (url.startsWith('sqlite:')) {
    const { SqliteStore } = await import('./sqlite.js');
    return new SqliteStore(url.slice('sqlite:'.length).replace(/^\/\//, '') || ':memory:');
  }
  throw new ConfigError(
    `unsupported database URL: ${url.split(':')[0] ?? url}:…`,
    'Use postgres://user:pass@host/db, sqlite:/path/to/file.db, or leave it out for the embedded SQLite.',
  );
}
