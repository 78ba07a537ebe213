/**
 * The local vulnerability DB: one SQLite file (better-sqlite3). Advisories are stored as one
 * JSON array per (release, source package) — a lookup is a single primary-key read — next to
 * vulnerability details, the data source of each release and the build manifest.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { ExitCode } from '../../core/errors.js';
import { ScanError } from '../errors.js';
import {
  advisoryListSchema,
  type Advisory,
  type DataSource,
  type DbManifest,
  type VulnerabilityDetail,
} from './types.js';

export const schemaVersion = 1;

const ddl = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS advisories (
  namespace TEXT NOT NULL, package TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (namespace, package)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vulnerabilities (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS data_sources (namespace TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
`;

export function dbMissing(path: string): ScanError {
  return new ScanError(`no vulnerability DB at ${path}`, {
    code: 'db-missing',
    exitCode: ExitCode.notFound,
    hint: 'Build one from feed files (chartroom scan db build --feeds DIR), import a bundle (chartroom scan db import FILE) or download (chartroom scan db update).',
  });
}

export class VulnDb {
  private readonly db: Database.Database;
  private readonly advisoryQuery: Database.Statement<[string, string], { data: string }>;
  private readonly detailQuery: Database.Statement<[string], { data: string }>;
  private readonly sourceQuery: Database.Statement<[string], { data: string }>;

  private constructor(readonly path: string) {
    try {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      const version = this.db
        .prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'")
        .get()?.value;
      if (Number(version) !== schemaVersion) {
        throw new ScanError(
          `the vulnerability DB at ${path} has schema ${version ?? '?'}, this Chartroom reads ${schemaVersion}`,
          {
            code: 'db-schema',
            hint: 'Rebuild or re-import the DB with this version of Chartroom.',
          },
        );
      }
      this.advisoryQuery = this.db.prepare('SELECT data FROM advisories WHERE namespace = ? AND package = ?');
      this.detailQuery = this.db.prepare('SELECT data FROM vulnerabilities WHERE id = ?');
      this.sourceQuery = this.db.prepare('SELECT data FROM data_sources WHERE namespace = ?');
    } catch (error) {
      if (error instanceof ScanError) throw error;
      throw new ScanError(`the vulnerability DB at ${path} cannot be read: ${(error as Error).message}`, {
        code: 'db-corrupt',
        hint: 'Rebuild it (chartroom scan db build) or import a bundle again.',
        cause: error,
      });
    }
  }

  static open(path: string): VulnDb {
    if (!existsSync(path)) throw dbMissing(path);
    return new VulnDb(path);
  }

  /** The advisories for a source package in a release (`debian:12`, `alpine:3.18`). */
  advisories(namespace: string, pkg: string): Advisory[] {
    const row = this.advisoryQuery.get(namespace, pkg);
    if (row === undefined) return [];
    const family = namespace.split(':')[0] ?? namespace;
    let value: unknown;
    try {
      value = JSON.parse(row.data);
    } catch (error) {
      throw this.corrupt(family, pkg, (error as Error).message);
    }
    const parsed = advisoryListSchema.safeParse(value);
    if (!parsed.success) throw this.corrupt(family, pkg, parsed.error.issues[0]?.message ?? 'invalid');
    return parsed.data;
  }

  private corrupt(family: string, pkg: string, why: string): ScanError {
    return new ScanError(`failed to get ${family} advisories for ${pkg}: ${why}`, {
      code: 'db-corrupt',
      hint: 'The vulnerability DB is damaged; rebuild it or import a bundle again.',
    });
  }

  detail(id: string): VulnerabilityDetail | undefined {
    const row = this.detailQuery.get(id);
    return row === undefined ? undefined : (JSON.parse(row.data) as VulnerabilityDetail);
  }

  dataSource(namespace: string): DataSource | undefined {
    const row = this.sourceQuery.get(namespace);
    return row === undefined ? undefined : (JSON.parse(row.data) as DataSource);
  }

  manifest(): DbManifest {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'manifest'").get();
    if (row === undefined)
      throw new ScanError(`the vulnerability DB at ${this.path} has no manifest`, {
        code: 'db-corrupt',
        hint: 'Rebuild it.',
      });
    return JSON.parse(row.value) as DbManifest;
  }

  close(): void {
    this.db.close();
  }
}

/** Writes a new DB file from scratch; the caller renames it into place when complete. */
export class VulnDbWriter {
  private readonly db: Database.Database;
  private readonly putAdvisory: Database.Statement<[string, string, string]>;
  private readonly putDetail: Database.Statement<[string, string]>;
  private readonly putSource: Database.Statement<[string, string]>;

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(ddl);
    this.putAdvisory = this.db.prepare(
      'INSERT OR REPLACE INTO advisories (namespace, package, data) VALUES (?, ?, ?)',
    );
    this.putDetail = this.db.prepare('INSERT OR REPLACE INTO vulnerabilities (id, data) VALUES (?, ?)');
    this.putSource = this.db.prepare('INSERT OR REPLACE INTO data_sources (namespace, data) VALUES (?, ?)');
    this.db
      .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)")
      .run(String(schemaVersion));
  }

  /** Everything in one transaction: a build is all or nothing. */
  transaction(work: () => void): void {
    this.db.transaction(work)();
  }

  advisories(namespace: string, pkg: string, advisories: readonly Advisory[]): void {
    this.putAdvisory.run(namespace, pkg, JSON.stringify(advisories));
  }

  /** Stores a row exactly as given (fixture loaders that must keep a damaged value damaged). */
  rawAdvisories(namespace: string, pkg: string, json: string): void {
    this.putAdvisory.run(namespace, pkg, json);
  }

  detail(detail: VulnerabilityDetail): void {
    this.putDetail.run(detail.id, JSON.stringify(detail));
  }

  dataSource(namespace: string, source: DataSource): void {
    this.putSource.run(namespace, JSON.stringify(source));
  }

  manifest(manifest: DbManifest): void {
    this.db
      .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('manifest', ?)")
      .run(JSON.stringify(manifest));
  }

  close(): void {
    this.db.exec('VACUUM');
    this.db.close();
  }
}
