/**
 * `scan db update`: downloads the feeds from their official homes and builds a new DB from them,
 * replacing the old one only when everything arrived and parsed. Base URLs can point at an
 * internal mirror (same paths), which is also how the tests exercise it on loopback.
 */
import { ExitCode } from '../../core/errors.js';
import { ScanError } from '../errors.js';
import { buildDb, type BuildResult, type FeedInput } from './build.js';
import { osvZipToJson } from './feeds/osv-zip.js';

export const officialFeeds = {
  debian: 'https://security-tracker.debian.org/tracker/data/json',
  alpine: 'https://secdb.alpinelinux.org',
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
} as const;

/** OSV's dumps used by default: Ubuntu has no other feed here; Debian and Alpine add DSA/DLA ids and ranges. */
export const defaultOsvEcosystems = ['Ubuntu', 'Debian', 'Alpine'] as const;

export interface UpdateOptions {
  target: string;
  debianUrl?: string;
  alpineUrl?: string;
  /** Alpine branches (`3.18`, `edge`); default: every `vX.Y/` the secdb index lists. */
  alpineBranches?: readonly string[];
  /** Base URL of the OSV bucket (`<base>/<Ecosystem>/all.zip`). */
  osvUrl?: string;
  /** OSV ecosystems to download; empty for none. */
  osvEcosystems?: readonly string[];
  signal?: AbortSignal;
  onFetch?: (url: string, bytes: number) => void;
}

async function download(url: string, signal: AbortSignal | undefined): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'user-agent': 'chartroom-scan-db-update' },
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ScanError(
      `cannot download ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      {
        code: 'feed-unreachable',
        exitCode: ExitCode.remote,
        hint: 'This machine cannot reach the feed; the current DB is unchanged. Offline, build one from files (scan db build --feeds DIR) or import a bundle (scan db import FILE).',
        cause: error,
      },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ScanError(`cannot download ${url}: HTTP ${response.status}`, {
      code: 'feed-unreachable',
      exitCode: ExitCode.remote,
      hint: 'The feed is unavailable right now; the current DB is unchanged. Try again later.',
    });
  }
  return Buffer.from(await response.arrayBuffer());
}

/** The branches the secdb index page links to (`v3.18/`, `edge/`). */
export function parseSecdbIndex(html: string): string[] {
  const branches = new Set<string>();
  for (const match of html.matchAll(/href="(v\d+\.\d+|edge)\/"/g))
    branches.add((match[1] ?? '').replace(/^v/, ''));
  return [...branches];
}

export async function updateDb(options: UpdateOptions): Promise<BuildResult> {
  const fetchedAt = new Date().toISOString();
  const inputs: FeedInput[] = [];
  const get = async (url: string, location: string): Promise<void> => {
    const data = await download(url, options.signal);
    options.onFetch?.(url, data.length);
    inputs.push({ location, data, modified: new Date(fetchedAt), fetchedAt });
  };
  const debianUrl = options.debianUrl ?? officialFeeds.debian;
  await get(debianUrl, debianUrl);
  const alpineBase = (options.alpineUrl ?? officialFeeds.alpine).replace(/\/$/, '');
  const branches =
    options.alpineBranches ??
    parseSecdbIndex((await download(`${alpineBase}/`, options.signal)).toString('utf8'));
  for (const branch of branches) {
    const dir = branch === 'edge' ? 'edge' : `v${branch}`;
    for (const repo of ['main', 'community']) {
      const url = `${alpineBase}/${dir}/${repo}.json`;
      try {
        await get(url, url);
      } catch (error) {
        // Old branches have no community file; anything else is a real failure.
        if (!(repo === 'community' && error instanceof ScanError && error.message.endsWith('HTTP 404')))
          throw error;
      }
    }
  }
  const osvBase = (options.osvUrl ?? officialFeeds.osv).replace(/\/$/, '');
  for (const ecosystem of options.osvEcosystems ?? defaultOsvEcosystems) {
    const url = `${osvBase}/${ecosystem}/all.zip`;
    const zip = await download(url, options.signal);
    options.onFetch?.(url, zip.length);
    inputs.push({
      location: url,
      data: await osvZipToJson(zip, url),
      modified: new Date(fetchedAt),
      fetchedAt,
    });
  }
  return buildDb(inputs, options.target);
}
