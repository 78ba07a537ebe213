/**
 * `chartroom scan db …`: build, update, export, import and show the local vulnerability DB.
 * Parsing and rendering only; the work is in src/scan/db.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { contextFor, type CliContext, type CliIo } from './context.js';
import { renderManifest } from './scan-render.js';

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The capability, loaded only when a scan command runs (keeps `chartroom --help` fast). */
export async function load() {
  return import('../scan/index.js');
}

export function registerScanDb(scan: Command, io: CliIo): void {
  const db = scan
    .command('db')
    .description('the local vulnerability DB: build, update, export, import, info');
  const dbPath = (ctx: CliContext, flags: { db?: string }, api: Awaited<ReturnType<typeof load>>): string =>
    flags.db === undefined ? api.defaultDbPath(ctx.env) : resolve(ctx.cwd, flags.db);

  db.command('build')
    .description('build the DB from feed files: Debian tracker JSON, Alpine secdb, OSV, NVD')
    .requiredOption('--feeds <dir>', 'folder of feed files (searched recursively; .gz allowed)')
    .option('--db <file>', 'where to write the DB (default: the one scans use)')
    .action(async (flags: { feeds: string; db?: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const api = await load();
      const result = api.buildDb(
        await api.readFeedDir(resolve(ctx.cwd, flags.feeds)),
        dbPath(ctx, flags, api),
      );
      for (const file of result.skipped) ctx.out.warn(`not a feed file, skipped: ${file}`);
      ctx.out.result(result, (value, out) => {
        renderManifest(value.path, value.manifest, out);
      });
    });

  db.command('update')
    .description(
      "download the Debian tracker, Alpine secdb and OSV's Ubuntu/Debian/Alpine dumps from their official URLs and rebuild the DB",
    )
    .option('--db <file>', 'the DB to replace (default: the one scans use)')
    .option('--debian-url <url>', 'Debian tracker JSON URL (a mirror)')
    .option('--alpine-url <url>', 'Alpine secdb base URL (a mirror)')
    .option(
      '--alpine-branch <branch>',
      'only these Alpine branches (3.18, edge); default: all the index lists',
      collect,
      [],
    )
    .option('--osv-url <url>', 'OSV bucket base URL (a mirror; <url>/<Ecosystem>/all.zip)')
    .option(
      '--osv-ecosystem <name>',
      'only these OSV ecosystems (Ubuntu, Debian, Alpine); default: all three',
      collect,
      [],
    )
    .option('--no-osv', 'do not download OSV dumps')
    .action(
      async (
        flags: {
          db?: string;
          debianUrl?: string;
          alpineUrl?: string;
          alpineBranch: string[];
          osvUrl?: string;
          osvEcosystem: string[];
          osv: boolean;
        },
        command: Command,
      ) => {
        const ctx = contextFor(command, io);
        const api = await load();
        const result = await api.updateDb({
          target: dbPath(ctx, flags, api),
          signal: ctx.signal,
          ...(flags.debianUrl === undefined ? {} : { debianUrl: flags.debianUrl }),
          ...(flags.alpineUrl === undefined ? {} : { alpineUrl: flags.alpineUrl }),
          ...(flags.alpineBranch.length === 0 ? {} : { alpineBranches: flags.alpineBranch }),
          ...(flags.osvUrl === undefined ? {} : { osvUrl: flags.osvUrl }),
          ...(!flags.osv
            ? { osvEcosystems: [] }
            : flags.osvEcosystem.length === 0
              ? {}
              : { osvEcosystems: flags.osvEcosystem }),
          onFetch: (url, bytes) => {
            ctx.out.info(`fetched ${url} (${(bytes / 1e6).toFixed(1)} MB)`);
          },
        });
        ctx.out.result(result, (value, out) => {
          renderManifest(value.path, value.manifest, out);
        });
      },
    );

  db.command('export')
    .description('write the DB and its manifest as one .tar.gz bundle for air-gapped machines')
    .argument('<file>', 'the bundle to write')
    .option('--db <file>', 'the DB to export (default: the one scans use)')
    .action(async (file: string, flags: { db?: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const api = await load();
      const info = await api.exportDb(dbPath(ctx, flags, api), resolve(ctx.cwd, file));
      ctx.out.result(info, (value, out) => {
        out.line(`wrote ${file} (DB sha256 ${value.sha256}, built ${value.manifest.builtAt})`);
      });
    });

  db.command('import')
    .description('install a DB bundle written by `scan db export`, after checking it')
    .argument('<file>', 'the bundle')
    .option('--db <file>', 'where to install it (default: the one scans use)')
    .action(async (file: string, flags: { db?: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const api = await load();
      const info = await api.importDb(resolve(ctx.cwd, file), dbPath(ctx, flags, api));
      ctx.out.result(info, (value, out) => {
        out.line(
          `installed the DB built ${value.manifest.builtAt} (${value.manifest.counts.advisories} advisories)`,
        );
      });
    });

  db.command('info')
    .description('show the DB manifest: sources, dates, counts')
    .option('--db <file>', 'the DB (default: the one scans use)')
    .action(async (flags: { db?: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const api = await load();
      const path = dbPath(ctx, flags, api);
      const vulnDb = api.VulnDb.open(path);
      const manifest = vulnDb.manifest();
      vulnDb.close();
      ctx.out.result({ path, ...manifest }, (value, out) => {
        renderManifest(value.path, value, out);
      });
    });
}
