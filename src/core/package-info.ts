import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
  /** The package's root folder (where package.json, examples/ and tools/ live). */
  root: string;
}

let cached: PackageInfo | undefined;

/**
 * Finds Chartroom's own package.json by walking up from this file, so it works both from src/
 * (through tsx) and from dist/ (compiled) without copying package.json around.
 */
export function packageInfo(): PackageInfo {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<PackageInfo>;
      if (parsed.name === 'chartroom' && typeof parsed.version === 'string') {
        cached = { name: parsed.name, version: parsed.version, root: dir };
        return cached;
      }
    } catch {
      // not here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('chartroom package.json not found above ' + import.meta.url);
    dir = parent;
  }
}
