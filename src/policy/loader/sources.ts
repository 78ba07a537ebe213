/**
 * Turns what the user named (files, folders, `-` for stdin) into manifests. Folders are walked
 * for *.yaml, *.yml and *.json in a stable order; a folder holding a Chart.yaml is a chart and is
 * skipped with a note, since its templates are not manifests until rendered (use --chart).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { NotFoundError, UsageError } from '../../core/errors.js';
import type { Manifest } from '../model.js';
import { parseManifests } from './parse.js';

export interface ReadSourcesOptions {
  paths: readonly string[];
  cwd: string;
  /** Read when a path is `-`. */
  stdin?: () => Promise<string>;
  /** Told about folders skipped as charts. */
  onNote?: (note: string) => void;
  signal?: AbortSignal;
}

const manifestFile = /\.(ya?ml|json)$/i;

export async function readSources(options: ReadSourcesOptions): Promise<Manifest[]> {
  const out: Manifest[] = [];
  let stdinUsed = false;
  for (const path of options.paths) {
    options.signal?.throwIfAborted();
    if (path === '-') {
      if (stdinUsed) throw new UsageError('`-` (stdin) given twice', 'Pass `-` once.');
      if (options.stdin === undefined) throw new UsageError('stdin is not available here');
      stdinUsed = true;
      out.push(...parseManifests(await options.stdin(), '-'));
      continue;
    }
    const absolute = resolve(options.cwd, path);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) {
      throw new NotFoundError(
        `no such file or folder: ${path}`,
        'Check the path, or pass `-` to read stdin.',
      );
    }
    if (info.isDirectory()) {
      for (const file of await walk(absolute, options)) {
        const shown = join(path, relative(absolute, file));
        out.push(...parseManifests(await readFile(file, 'utf8'), shown));
      }
    } else {
      out.push(...parseManifests(await readFile(absolute, 'utf8'), path));
    }
  }
  return out;
}

async function walk(dir: string, options: ReadSourcesOptions): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml')) {
    options.onNote?.(
      `skipped ${relative(options.cwd, dir) || '.'}: it is a Helm chart; check it rendered with --chart`,
    );
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full, options)));
    else if (entry.isFile() && manifestFile.test(entry.name)) files.push(full);
  }
  return files;
}
