/**
 * Alpine's secdb (secdb.alpinelinux.org/v3.18/main.json, or the same as YAML): per branch,
 * `packages[].pkg.{name, secfixes: {fixedVersion: [ids]}}`, keyed by origin (aport). A fixed
 * version of "0" means not affected. Entries may read "CVE-2017-2616 (+ regression fix)";
 * the first CVE id wins, else a GHSA/XSA/ALPINE id. secdb has no severities and no unfixed entries.
 */
import type { Advisory } from '../types.js';
import { compareApk } from '../../version/apk.js';
import { dataSources, emptyRecords, type FeedRecords } from './types.js';

interface SecdbFile {
  distroversion?: string;
  reponame?: string;
  packages?:
    | { pkg?: { name?: string; secfixes?: Record<string, (string | null)[] | null> } }[]
    | Record<string, unknown>;
}

export function looksLikeAlpineSecdb(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'distroversion' in value && 'packages' in value;
}

function idOf(text: string): string | undefined {
  return (
    /\b(CVE-\d{4}-\d+)/.exec(text)?.[1] ??
    /\b(GHSA(?:-[a-z0-9]{4}){3})/.exec(text)?.[1] ??
    /\b((?:XSA|ALPINE)-\d+)/.exec(text)?.[1]
  );
}

export function parseAlpineSecdb(value: SecdbFile, sourceId: string): FeedRecords {
  const out = emptyRecords();
  const branch = (value.distroversion ?? '').replace(/^v/, '');
  if (branch === '' || !Array.isArray(value.packages)) return out;
  const namespace = `alpine:${branch}`;
  out.dataSources[namespace] = dataSources.alpine;
  for (const entry of value.packages) {
    const name = entry.pkg?.name;
    if (name === undefined) continue;
    const fixes = new Map<string, string>();
    for (const [version, ids] of Object.entries(entry.pkg?.secfixes ?? {})) {
      for (const text of ids ?? []) {
        out.records++;
        const id = text === null ? undefined : idOf(text);
        if (id === undefined) continue;
        const known = fixes.get(id);
        // Listed under several versions: the first fix counts ("0" — not affected — wins outright).
        if (known === undefined || version === '0' || (known !== '0' && compareApk(version, known) < 0))
          fixes.set(id, version);
      }
    }
    for (const [id, fixed] of fixes) {
      if (fixed === '0') continue;
      const advisory: Advisory = { id, state: 'fixed', fixed, source: sourceId };
      out.advisories.push({ namespace, pkg: name, advisory });
    }
  }
  return out;
}
