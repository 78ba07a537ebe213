/**
 * One image scan: read the image (see image/), pick its release, match its packages against the
 * local DB. Gating and reporting are separate steps (gate/, report/).
 */
import { join } from 'node:path';
import { cacheRoot } from '../core/peers.js';
import { VulnDb } from './db/vulndb.js';
import { inspectImage, type ImageMetadata, type ImageOptions, type LayerReport } from './image/index.js';
import { matchPackages, type Finding } from './match/matcher.js';
import { releaseFor } from './match/namespace.js';
import type { DetectedOs } from './os/detect.js';
import type { InstalledPackage } from './pkgdb/types.js';

export function defaultScanDir(env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'scan');
}

/** `--db`, else `$CHARTROOM_SCAN_DB`, else `<cache>/scan/db/vuln.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  return env.CHARTROOM_SCAN_DB ?? join(defaultScanDir(env), 'db', 'vuln.db');
}

export interface ScanOptions extends ImageOptions {
  dbPath: string;
  ignoreUnfixed?: boolean;
  now?: Date;
}

export interface ScanResult {
  image: Omit<ImageMetadata, 'config' | 'layers'> & { created?: string };
  os?: DetectedOs & { supported: boolean };
  packages: InstalledPackage[];
  layers: (LayerReport & { createdBy?: string })[];
  findings: Finding[];
  db: { path: string; builtAt: string };
  scannedAt: string;
}

export async function scanImage(argument: string, options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? new Date();
  // Open the DB first: a missing DB should fail before minutes of layer reading.
  const db = VulnDb.open(options.dbPath);
  try {
    const inventory = await inspectImage(argument, options);
    const { config, layers, ...image } = inventory.metadata;
    const release = inventory.os === undefined ? undefined : releaseFor(inventory.os, { now });
    const findings =
      release === undefined
        ? []
        : matchPackages(db, release, inventory.packages, { ignoreUnfixed: options.ignoreUnfixed === true });
    const history = (config.history ?? []).filter((entry) => entry.empty_layer !== true);
    return {
      image: { ...image, ...(config.created === undefined ? {} : { created: config.created }) },
      ...(inventory.os === undefined || release === undefined
        ? {}
        : { os: { ...inventory.os, supported: release.supported } }),
      packages: inventory.packages,
      layers: inventory.layers.map((layer, index) => {
        const createdBy = history.length === layers.length ? history[index]?.created_by : undefined;
        return createdBy === undefined ? layer : { ...layer, createdBy };
      }),
      findings,
      db: { path: options.dbPath, builtAt: db.manifest().builtAt },
      scannedAt: now.toISOString(),
    };
  } finally {
    db.close();
  }
}
