/**
 * `scan db build --feeds DIR`: reads every feed file under DIR (Debian tracker JSON, Alpine secdb
 * JSON/YAML, OSV records — one per file or arrays —, NVD JSON; `.gz` allowed), merges them and
 * writes a new DB next to the target, renamed into place only when complete.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { packageInfo } from '../../core/package-info.js';
import { ScanError } from '../errors.js';
import { looksLikeAlpineSecdb, parseAlpineSecdb } from './feeds/alpine-secdb.js';
import { looksLikeDebianTracker, parseDebianTracker } from './feeds/debian-tracker.js';
import { looksLikeNvd, parseNvd } from './feeds/nvd.js';
import { looksLikeOsv, parseOsvRecords } from './feeds/osv.js';
import { isZip, osvZipToJson } from './feeds/osv-zip.js';
import type { FeedRecords } from './feeds/types.js';
import type { Advisory, DataSource, DbManifest, SourceRecord, VulnerabilityDetail } from './types.js';
import { VulnDbWriter } from './vulndb.js';

export interface FeedInput {
  /** Shown in the manifest: a path relative to the feeds folder, or a URL. */
  location: string;
  data: Buffer;
  modified: Date;
  fetchedAt?: string;
}

/** Reads every file under `dir` (sorted, so builds are reproducible); OSV `.zip` dumps are unpacked. */
export async function readFeedDir(dir: string): Promise<FeedInput[]> {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    throw new ScanError(`cannot read the feeds folder ${dir}: ${(error as Error).message}`, {
      code: 'feeds-unreadable',
      exitCode: 4,
      hint: 'Pass a folder holding Debian tracker JSON, Alpine secdb, OSV or NVD files.',
      cause: error,
    });
  }
  const paths = entries
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && /\.((json|ya?ml)(\.gz)?|zip)$/.test(path));
  const inputs: FeedInput[] = [];
  for (const path of paths) {
    const raw = readFileSync(path);
    const data = isZip(raw) ? await osvZipToJson(raw, path) : raw;
    inputs.push({ location: relative(dir, path), data, modified: statSync(path).mtime });
  }
  return inputs;
}

type Kind = SourceRecord['kind'];

function classify(input: FeedInput): { kind: Kind; records: FeedRecords } | undefined {
  const bytes = input.location.endsWith('.gz') ? gunzipSync(input.data) : input.data;
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = /\.ya?ml(\.gz)?$/.test(input.location) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ScanError(`feed file ${input.location} does not parse: ${(error as Error).message}`, {
      code: 'feed-invalid',
      hint: 'Remove or replace the file; nothing was written.',
      cause: error,
    });
  }
  const id = input.location;
  if (looksLikeAlpineSecdb(value))
    return { kind: 'alpine-secdb', records: parseAlpineSecdb(value as never, id) };
  if (looksLikeNvd(value)) return { kind: 'nvd', records: parseNvd(value as never) };
  if (Array.isArray(value) && value.every(looksLikeOsv))
    return { kind: 'osv', records: parseOsvRecords(value, id) };
  if (looksLikeOsv(value)) return { kind: 'osv', records: parseOsvRecords([value], id) };
  if (looksLikeDebianTracker(value))
    return { kind: 'debian-tracker', records: parseDebianTracker(value as never, id) };
  return undefined;
}

/** Distribution-native feeds are authoritative for their own releases; OSV fills the gaps. */
const rank: Record<Kind, number> = { 'debian-tracker': 0, 'alpine-secdb': 0, osv: 1, nvd: 2 };

function mergeAdvisory(
  existing: Advisory & { rank: number },
  incoming: Advisory,
  incomingRank: number,
): Advisory & { rank: number } {
  const [winner, other] =
    incomingRank < existing.rank ? [{ ...incoming, rank: incomingRank }, existing] : [existing, incoming];
  const vendorIds = [...new Set([...(winner.vendorIds ?? []), ...(other.vendorIds ?? [])])];
  return {
    ...winner,
    ...(vendorIds.length === 0 ? {} : { vendorIds }),
    ...(winner.severity === undefined && other.severity !== undefined ? { severity: other.severity } : {}),
  };
}

function mergeDetail(a: VulnerabilityDetail, b: VulnerabilityDetail): VulnerabilityDetail {
  const merged: VulnerabilityDetail = { ...b, ...a };
  // NVD's severity beats a CVSS vector found in an OSV record.
  if (b.severitySource === 'nvd' && a.severitySource !== 'nvd') {
    if (b.severity !== undefined) merged.severity = b.severity;
    merged.severitySource = 'nvd';
  }
  const cvss = { ...(b.cvss ?? {}), ...(a.cvss ?? {}) };
  if (Object.keys(cvss).length > 0) merged.cvss = cvss;
  const references = [...new Set([...(a.references ?? []), ...(b.references ?? [])])];
  if (references.length > 0) merged.references = references;
  return merged;
}

export interface BuildResult {
  path: string;
  manifest: DbManifest;
  /** Files that were not recognised as any feed. */
  skipped: string[];
}

export function buildDb(inputs: readonly FeedInput[], target: string): BuildResult {
  const advisories = new Map<string, Map<string, Map<string, Advisory & { rank: number }>>>();
  const details = new Map<string, VulnerabilityDetail>();
  const namespaceSources = new Map<string, DataSource>();
  const sources: SourceRecord[] = [];
  const skipped: string[] = [];
  for (const input of inputs) {
    const classified = classify(input);
    if (classified === undefined) {
      skipped.push(input.location);
      continue;
    }
    const { kind, records } = classified;
    sources.push({
      id: input.location,
      kind,
      location: input.location,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      bytes: input.data.length,
      records: records.records,
      dataDate: records.dataDate ?? input.modified.toISOString(),
      ...(input.fetchedAt === undefined ? {} : { fetchedAt: input.fetchedAt }),
    });
    for (const [namespace, source] of Object.entries(records.dataSources)) {
      // A distribution's own tracker names the release's data source over OSV.
      if (!namespaceSources.has(namespace) || rank[kind] === 0) namespaceSources.set(namespace, source);
    }
    for (const { namespace, pkg, advisory } of records.advisories) {
      const byPackage =
        advisories.get(namespace) ?? new Map<string, Map<string, Advisory & { rank: number }>>();
      advisories.set(namespace, byPackage);
      const byId = byPackage.get(pkg) ?? new Map<string, Advisory & { rank: number }>();
      byPackage.set(pkg, byId);
      const existing = byId.get(advisory.id);
      byId.set(
        advisory.id,
        existing === undefined
          ? { ...advisory, rank: rank[kind] }
          : mergeAdvisory(existing, advisory, rank[kind]),
      );
    }
    for (const detail of records.details) {
      const existing = details.get(detail.id);
      details.set(
        detail.id,
        existing === undefined
          ? detail
          : kind === 'nvd'
            ? mergeDetail(existing, detail)
            : mergeDetail(detail, existing),
      );
    }
  }
  if (sources.length === 0) {
    throw new ScanError('no feed files found', {
      code: 'feeds-empty',
      hint: 'The folder must hold Debian tracker JSON, Alpine secdb JSON/YAML, OSV JSON or NVD JSON files.',
    });
  }
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  let count = 0;
  let packages = 0;
  const writer = new VulnDbWriter(temp);
  try {
    writer.transaction(() => {
      for (const [namespace, byPackage] of advisories) {
        for (const [pkg, byId] of byPackage) {
          const list = [...byId.values()]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map(({ rank: _rank, ...advisory }) => advisory);
          writer.advisories(namespace, pkg, list);
          count += list.length;
          packages++;
        }
      }
      for (const detail of details.values()) writer.detail(detail);
      for (const [namespace, source] of namespaceSources) writer.dataSource(namespace, source);
    });
    const manifest: DbManifest = {
      schema: 1,
      builtAt: new Date().toISOString(),
      builder: `chartroom ${packageInfo().version}`,
      sources,
      counts: {
        advisories: count,
        packages,
        vulnerabilities: details.size,
        namespaces: [...advisories.keys()].sort(),
      },
    };
    writer.manifest(manifest);
    writer.close();
    renameSync(temp, target);
    return { path: target, manifest, skipped };
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
