/**
 * `chartroom scan`: scan images offline, gate them like clair-scanner, report per base image, and
 * manage the local vulnerability DB. Parsing and rendering only; the work is in src/scan.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { contextFor, type CliContext, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import type { Severity } from '../scan/index.js';
import { ExitRequest } from './program.js';
import { collect, load, registerScanDb } from './scan-db.js';
import { renderBaseImages, renderCounts, renderFindings, renderPackages } from './scan-render.js';

interface ImageFlags {
  db?: string;
  platform?: string;
  insecureRegistry: string[];
  cache: boolean;
}

interface ScanFlags extends ImageFlags {
  threshold: string;
  whitelist?: string;
  ignoreFile?: string;
  ignoreUnfixed?: boolean;
  format?: 'table' | 'json' | 'sarif' | 'clair' | 'summary';
  outputFile?: string;
  report?: string;
  all: boolean;
  exitWhenNoFeatures?: boolean;
  notify?: string;
  notifyFormat: 'slack' | 'json';
  store: boolean;
  database?: string;
}

function imageOptions(command: Command): Command {
  return command
    .option('--db <file>', 'the vulnerability DB (default: $CHARTROOM_SCAN_DB or <cache>/scan/db/vuln.db)')
    .option(
      '--platform <os/arch>',
      'the platform to pick from a multi-platform image (default: this machine)',
    )
    .option(
      '--insecure-registry <host>',
      'reach this registry over plain HTTP (loopback ones always are)',
      collect,
      [],
    )
    .option('--no-cache', 'do not reuse or keep layer analyses');
}

async function common(ctx: CliContext, flags: ImageFlags) {
  const scan = await load();
  return {
    scan,
    options: {
      cwd: ctx.cwd,
      env: ctx.env,
      signal: ctx.signal,
      dbPath: flags.db === undefined ? scan.defaultDbPath(ctx.env) : resolve(ctx.cwd, flags.db),
      ...(flags.cache ? { cacheDir: scan.defaultScanDir(ctx.env) } : {}),
      ...(flags.platform === undefined ? {} : { platform: scan.parsePlatform(flags.platform) }),
      insecureRegistries: flags.insecureRegistry,
    },
  };
}

function layerProgress(ctx: CliContext, image: string) {
  const progress = ctx.out.progress();
  progress.start(`reading ${image}`);
  return {
    onLayer: (layer: { index: number; total: number; bytes: number; cached: boolean; seconds: number }) => {
      progress.update({
        text: `layer ${layer.index + 1}/${layer.total} ${layer.cached ? '(cached)' : `${(layer.bytes / 1e6).toFixed(1)} MB in ${layer.seconds.toFixed(2)}s`}`,
        done: layer.index + 1,
        total: layer.total,
      });
    },
    progress,
  };
}

async function scanAction(image: string, flags: ScanFlags, command: Command, io: CliIo): Promise<void> {
  const ctx = contextFor(command, io);
  const { out } = ctx;
  const { scan, options } = await common(ctx, flags);
  const threshold = scan.parseSeverity(flags.threshold);
  if (threshold === undefined) {
    throw new UsageError(
      `unknown threshold "${flags.threshold}"`,
      `Use one of ${scan.severities.join(', ')}.`,
    );
  }
  const now = new Date();
  const whitelist =
    flags.whitelist === undefined ? undefined : await scan.loadWhitelist(resolve(ctx.cwd, flags.whitelist));
  const ignoreRules =
    flags.ignoreFile === undefined
      ? undefined
      : await scan.loadIgnoreFile(resolve(ctx.cwd, flags.ignoreFile));
  const { onLayer, progress } = layerProgress(ctx, image);
  let result;
  try {
    result = await scan.scanImage(image, {
      ...options,
      onLayer,
      ignoreUnfixed: flags.ignoreUnfixed === true,
      now,
    });
    progress.succeed(`read ${image}`);
  } catch (error) {
    progress.fail(`could not scan ${image}`);
    throw error;
  }
  const gated = scan.gate(result.findings, result.image.repoTags[0] ?? image, {
    threshold,
    now,
    ...(whitelist === undefined ? {} : { whitelist }),
    ...(ignoreRules === undefined ? {} : { ignoreRules }),
  });
  for (const rule of gated.expiredRules) {
    out.warn(
      `ignore rule for ${rule.id} (${rule.origin}) expired on ${rule.expires ?? ''}; it no longer applies`,
    );
  }
  const counts = scan.countBySeverity(result.findings);
  const rows = scan.byBaseImage([
    {
      image,
      ...(result.os === undefined ? {} : { namespace: result.os.namespace }),
      findings: result.findings,
    },
  ]);
  if (flags.report !== undefined)
    writeFileAtomic(
      resolve(ctx.cwd, flags.report),
      JSON.stringify(scan.clairReport(result, gated), null, 2) + '\n',
    );
  const format = flags.format ?? (out.json ? 'json' : 'table');
  const document =
    format === 'json'
      ? {
          ...result,
          findings: gated.findings,
          unapproved: gated.unapproved,
          counts,
          summary: scan.summaryLine(counts),
        }
      : format === 'sarif'
        ? scan.sarifReport(result, gated)
        : format === 'clair'
          ? scan.clairReport(result, gated)
          : undefined;
  if (flags.outputFile !== undefined) {
    const text =
      document === undefined ? `${scan.summaryLine(counts)}\n` : JSON.stringify(document, null, 2) + '\n';
    writeFileAtomic(resolve(ctx.cwd, flags.outputFile), text);
  } else if (document !== undefined) {
    out.raw(JSON.stringify(document, null, 2) + '\n');
  } else if (format === 'summary') {
    out.line(scan.summaryLine(counts));
  } else {
    renderFindings(result, gated.findings, out, flags.all);
    out.line();
    out.line(`Image [${image}] contains ${result.findings.length} total vulnerabilities`);
    out.line(
      gated.unapproved.length === 0
        ? `Image [${image}] contains NO unapproved vulnerabilities`
        : `Image [${image}] contains ${gated.unapproved.length} unapproved vulnerabilities`,
    );
    renderCounts(counts, out);
    out.line(scan.summaryLine(counts));
  }
  if (flags.store) {
    const { openStore } = await import('../store/index.js');
    const store = await openStore({
      ...(flags.database === undefined ? {} : { url: flags.database }),
      env: ctx.env,
    });
    try {
      await scan.saveScan(store, result, gated);
    } finally {
      await store.close();
    }
  }
  if (flags.notify !== undefined) {
    const body =
      flags.notifyFormat === 'slack'
        ? scan.slackMessage(counts, rows)
        : {
            image,
            summary: scan.summaryLine(counts),
            counts,
            baseImages: rows,
            unapproved: gated.unapproved.length,
          };
    await scan.postWebhook(flags.notify, body, ctx.signal);
  }
  if (result.packages.length === 0 && flags.exitWhenNoFeatures === true) {
    out.info(
      `Image [${image}] has no OS packages (${result.os === undefined ? 'no OS detected' : 'empty package database'})`,
    );
    throw new ExitRequest(ExitCode.findings);
  }
  if (gated.unapproved.length > 0) throw new ExitRequest(ExitCode.findings);
}

export const scanGroup: CommandGroup = (program: Command, io: CliIo) => {
  const scan = program
    .command('scan')
    .description('offline image vulnerability scanning: images, per-base-image reports and the local DB');

  imageOptions(
    scan
      .command('image', { isDefault: true })
      .description('scan an image: a docker save archive, an OCI layout folder, or a registry reference')
      .argument('<image>', 'FILE (docker save), DIR[:tag] (OCI layout), or [registry/]repo[:tag][@digest]'),
  )
    .option(
      '-t, --threshold <severity>',
      'fail on findings at least this severe (Unknown … Defcon1), as clair-scanner',
      'Unknown',
    )
    .option('-w, --whitelist <file>', "clair-scanner's whitelist YAML (generalwhitelist, images)")
    .option('--ignore-file <file>', '.trivyignore-style or YAML ignore rules with expiry dates')
    .option('--ignore-unfixed', 'report only vulnerabilities that have a fix')
    .addOption(
      new Option('--format <format>', 'report format (default: table, or json with -o json)').choices([
        'table',
        'json',
        'sarif',
        'clair',
        'summary',
      ]),
    )
    .option('--output-file <file>', 'write the report to this file instead of stdout')
    .option('-r, --report <file>', "also write clair-scanner's JSON report here")
    .option('--all', 'list approved findings too', false)
    .option('--exit-when-no-features', 'exit 1 when the image has no OS packages')
    .option('--notify <url>', 'post the summary to this webhook (Slack incoming webhook by default)')
    .addOption(
      new Option('--notify-format <format>', 'webhook body').choices(['slack', 'json']).default('slack'),
    )
    .option('--no-store', 'do not keep the result for the dashboard')
    .option(
      '--database <url>',
      'where results are kept (default: the embedded SQLite; postgres://… for a shared one)',
    )
    .action((image: string, flags: ScanFlags, command: Command) => scanAction(image, flags, command, io));

  imageOptions(
    scan
      .command('packages')
      .description('list the OS and packages of an image (no DB needed)')
      .argument('<image>', 'FILE, DIR[:tag] or registry reference'),
  ).action(async (image: string, flags: ImageFlags, command: Command) => {
    const ctx = contextFor(command, io);
    const { scan: api, options } = await common(ctx, flags);
    const { onLayer, progress } = layerProgress(ctx, image);
    const inventory = await api.inspectImage(image, { ...options, onLayer });
    progress.succeed(`read ${image}`);
    ctx.out.result(inventory, (value, out) => {
      out.line(
        `${image}: ${value.os === undefined ? 'no OS detected' : `${value.os.family} ${value.os.version} (${value.os.namespace})`}, ${value.packages.length} packages`,
      );
      renderPackages(value.packages, out);
    });
  });

  imageOptions(
    scan
      .command('report')
      .description("counts by base image and severity over several images (the talk's table)")
      .argument('[images...]', 'images to scan; none with --stored'),
  )
    .option('--ignore-unfixed', 'count only vulnerabilities that have a fix')
    .option('--stored', 'use the latest stored result of every image instead of scanning')
    .option('--database <url>', 'where stored results are (with --stored)')
    .option('--notify <url>', 'post the summary and table to this webhook')
    .action(
      async (
        images: string[],
        flags: ImageFlags & { ignoreUnfixed?: boolean; stored?: boolean; database?: string; notify?: string },
        command: Command,
      ) => {
        const ctx = contextFor(command, io);
        const { scan: api, options } = await common(ctx, flags);
        let scanned: {
          image: string;
          namespace?: string;
          findings: { severity: Severity }[];
        }[] = [];
        if (flags.stored === true) {
          const { openStore } = await import('../store/index.js');
          const store = await openStore({
            ...(flags.database === undefined ? {} : { url: flags.database }),
            env: ctx.env,
          });
          try {
            scanned = (await api.latestScans(store)).filter(
              (s) => images.length === 0 || images.includes(s.image),
            );
          } finally {
            await store.close();
          }
        } else {
          if (images.length === 0)
            throw new UsageError(
              'no images to report on',
              'Pass images, or --stored for the latest stored results.',
            );
          for (const image of images) {
            const result = await api.scanImage(image, {
              ...options,
              ignoreUnfixed: flags.ignoreUnfixed === true,
            });
            scanned.push({
              image,
              ...(result.os === undefined ? {} : { namespace: result.os.namespace }),
              findings: result.findings,
            });
          }
        }
        const rows = api.byBaseImage(scanned);
        const counts = api.countBySeverity(scanned.flatMap((s) => s.findings));
        if (flags.notify !== undefined)
          await api.postWebhook(flags.notify, api.slackMessage(counts, rows), ctx.signal);
        ctx.out.result({ summary: api.summaryLine(counts), counts, baseImages: rows }, (value, out) => {
          out.line(value.summary);
          out.line();
          renderBaseImages(value.baseImages, out);
        });
      },
    );

  registerScanDb(scan, io);
};
