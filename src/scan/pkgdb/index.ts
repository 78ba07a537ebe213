/**
 * The installed OS packages of an image: read from the merged view of its layers, and attributed
 * to the layer that introduced each one (where its exact version first appears and stays).
 */
import { MergedFs } from '../image/apply.js';
import type { LayerAnalysis } from '../image/types.js';
import { parseApkDatabase } from './apk.js';
import { parseDpkgDatabase } from './dpkg.js';
import type { InstalledPackage } from './types.js';

export type { InstalledPackage, PackageType } from './types.js';
export { parseDpkgDatabase, parseStanzas } from './dpkg.js';
export { parseApkDatabase } from './apk.js';

const apkDatabases = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];
const dpkgStatus = 'var/lib/dpkg/status';
const statusD = 'var/lib/dpkg/status.d';

/** Every package the merged filesystem's databases list, in database order. */
export function readPackages(fs: MergedFs): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  const status = fs.read(dpkgStatus);
  if (status !== undefined) packages.push(...parseDpkgDatabase(status.content, dpkgStatus));
  for (const file of fs.list(statusD)) packages.push(...parseDpkgDatabase(file.content, file.path));
  for (const path of apkDatabases) {
    const db = fs.read(path);
    if (db !== undefined) {
      packages.push(...parseApkDatabase(db.content, path));
      break;
    }
  }
  return dedupe(packages);
}

/** status and status.d may both list a package; the first wins (dpkg's own database). */
function dedupe(packages: InstalledPackage[]): InstalledPackage[] {
  const seen = new Set<string>();
  return packages.filter((pkg) => {
    const key = `${pkg.type}/${pkg.name}/${pkg.arch ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function touchesDatabase(layer: LayerAnalysis): boolean {
  const isDb = (path: string): boolean =>
    path === dpkgStatus || path.startsWith(`${statusD}/`) || apkDatabases.includes(path);
  const isDbOrParent = (path: string): boolean =>
    isDb(path) || [dpkgStatus, statusD, ...apkDatabases].some((db) => db.startsWith(`${path}/`));
  return (
    Object.keys(layer.files).some(isDb) ||
    Object.keys(layer.symlinks).some(isDb) ||
    layer.whiteouts.some(isDbOrParent) ||
    layer.opaqueDirs.some(isDbOrParent)
  );
}

/**
 * Reads the packages of the final image and records, for each, the layer from which its exact
 * name and version are present without interruption up to the top layer.
 */
export function readPackagesWithLayers(layers: readonly LayerAnalysis[]): InstalledPackage[] {
  const since = new Map<string, number>();
  layers.forEach((layer, index) => {
    if (!touchesDatabase(layer)) return;
    const present = new Set(readPackages(new MergedFs(layers.slice(0, index + 1))).map(keyOf));
    for (const key of [...since.keys()]) if (!present.has(key)) since.delete(key);
    for (const key of present) if (!since.has(key)) since.set(key, index);
  });
  return readPackages(new MergedFs(layers)).map((pkg) => {
    const layer = since.get(keyOf(pkg));
    return layer === undefined ? pkg : { ...pkg, layer };
  });
}

function keyOf(pkg: InstalledPackage): string {
  return `${pkg.type}/${pkg.name}/${pkg.arch ?? ''}@${pkg.version}`;
}
