/**
 * Scan results kept for the server's dashboard (through src/store: SQLite by default, PostgreSQL
 * when configured): one row per scan with the summary, the gated findings and the base image.
 */
import { randomUUID } from 'node:crypto';
import type { Migration, Store } from '../store/index.js';
import type { GateResult } from './gate/gate.js';
import { countBySeverity, type SeverityCounts } from './report/summary.js';
import type { ScanResult } from './scan.js';

export const scanMigrations: Migration[] = [
  {
    id: 'scan-001-results',
    sql: `CREATE TABLE IF NOT EXISTS scan_results (
  id TEXT PRIMARY KEY,
  image TEXT NOT NULL,
  image_id TEXT NOT NULL,
  manifest_digest TEXT,
  namespace TEXT,
  scanned_at TEXT NOT NULL,
  db_built_at TEXT NOT NULL,
  counts TEXT NOT NULL,
  unapproved INTEGER NOT NULL,
  findings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scan_results_image ON scan_results (image, scanned_at);`,
  },
];

export interface StoredScan {
  id: string;
  image: string;
  imageId: string;
  manifestDigest?: string;
  namespace?: string;
  scannedAt: string;
  dbBuiltAt: string;
  counts: SeverityCounts;
  unapproved: number;
  findings: GateResult['findings'];
}

export async function saveScan(store: Store, result: ScanResult, gated: GateResult): Promise<string> {
  await store.migrate(scanMigrations);
  const id = randomUUID();
  await store.run(
    `INSERT INTO scan_results (id, image, image_id, manifest_digest, namespace, scanned_at, db_built_at, counts, unapproved, findings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      result.image.reference,
      result.image.imageId,
      result.image.manifestDigest ?? null,
      result.os?.namespace ?? null,
      result.scannedAt,
      result.db.builtAt,
      JSON.stringify(countBySeverity(gated.findings)),
      gated.unapproved.length,
      JSON.stringify(gated.findings),
    ],
  );
  return id;
}

interface Row {
  id: string;
  image: string;
  image_id: string;
  manifest_digest: string | null;
  namespace: string | null;
  scanned_at: string;
  db_built_at: string;
  counts: string;
  unapproved: number;
  findings: string;
}

/** The latest stored scan of every image (what the dashboard and `scan report --stored` show). */
export async function latestScans(store: Store): Promise<StoredScan[]> {
  await store.migrate(scanMigrations);
  const rows = await store.all<Row>(
    `SELECT r.* FROM scan_results r
     JOIN (SELECT image, MAX(scanned_at) AS latest FROM scan_results GROUP BY image) l
       ON l.image = r.image AND l.latest = r.scanned_at
     ORDER BY r.image`,
  );
  return rows.map((row) => ({
    id: row.id,
    image: row.image,
    imageId: row.image_id,
    ...(row.manifest_digest === null ? {} : { manifestDigest: row.manifest_digest }),
    ...(row.namespace === null ? {} : { namespace: row.namespace }),
    scannedAt: row.scanned_at,
    dbBuiltAt: row.db_built_at,
    counts: JSON.parse(row.counts) as SeverityCounts,
    // PostgreSQL returns INTEGER columns as numbers too; no bigint here.
    unapproved: row.unapproved,
    findings: JSON.parse(row.findings) as GateResult['findings'],
  }));
}
