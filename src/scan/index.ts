/**
 * scan: an offline container image vulnerability scanner. Reads images from `docker save`
 * archives, OCI layouts and registries; matches their OS packages against a local DB built from
 * the distributions' own feeds; gates like clair-scanner; reports as table, JSON, SARIF,
 * clair-scanner JSON, the talk's summary line and a per-base-image table.
 */
export { scanImage, defaultDbPath, defaultScanDir, type ScanOptions, type ScanResult } from './scan.js';
export {
  inspectImage,
  parsePlatform,
  type ImageInventory,
  type LayerReport,
  type Platform,
} from './image/index.js';
export { buildDb, readFeedDir, type BuildResult } from './db/build.js';
export { updateDb, officialFeeds } from './db/update.js';
export { exportDb, importDb } from './db/bundle.js';
export { VulnDb } from './db/vulndb.js';
export type { DbManifest, SourceRecord } from './db/types.js';
export { gate, type GateResult, type GatedFinding } from './gate/gate.js';
export { loadWhitelist, type Whitelist } from './gate/whitelist.js';
export { loadIgnoreFile, type IgnoreRule } from './gate/ignore.js';
export type { Finding } from './match/matcher.js';
export { severities, parseSeverity, severityRank, type Severity } from './severity.js';
export {
  countBySeverity,
  summaryLine,
  byBaseImage,
  slackMessage,
  type BaseImageRow,
  type SeverityCounts,
} from './report/summary.js';
export { clairReport } from './report/clair.js';
export { sarifReport } from './report/sarif.js';
export { postWebhook } from './report/notify.js';
export { saveScan, latestScans, scanMigrations, type StoredScan } from './results.js';
export { ScanError } from './errors.js';
export type { InstalledPackage } from './pkgdb/types.js';
