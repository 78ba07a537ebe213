/**
 * `chartroom runtime …`: validate, explain and test Falco rules offline, replay audit logs through
 * them, run the audit webhook / Falco alert intake, and read stored alerts. Parsing and rendering
 * only; the work is in src/runtime, imported inside each action.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import { contextFor, type CliContext, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { ExitRequest } from './program.js';
import {
  renderAlertRows,
  renderCounts,
  renderExplanation,
  renderFields,
  renderOutcomes,
  renderValidation,
  snippetFor,
} from './runtime-render.js';
import { untilAborted } from '../core/abort.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function runtimeModule() {
  return import('../runtime/index.js');
}

interface SelectionFlags {
  ruleMatching: 'first' | 'all';
  minPriority?: string;
  disableRule: string[];
  disableTag: string[];
  enableRule: string[];
  onlyTag: string[];
  hostname?: string;
}

function selectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--rule-matching <mode>', 'first (Falco’s default) or all matching rules per event')
        .choices(['first', 'all'])
        .default('first'),
    )
    .option('--min-priority <priority>', 'run only rules at or above this priority (emergency … debug)')
    .option('--disable-rule <name>', 'disable a rule (wildcards with *), repeatable', collect, [])
    .option('--disable-tag <tag>', 'disable rules with this tag, repeatable', collect, [])
    .option('--enable-rule <name>', 'enable a rule the files disable, repeatable', collect, [])
    .option('--only-tag <tag>', 'run only rules with this tag, repeatable', collect, [])
    .option('--hostname <name>', 'hostname in alerts (default: FALCO_HOSTNAME or this machine)');
}

async function engineOptions(flags: SelectionFlags) {
  const runtime = await runtimeModule();
  let minPriority;
  if (flags.minPriority !== undefined) {
    minPriority = runtime.parsePriority(flags.minPriority);
    if (minPriority === undefined) {
      throw new UsageError(
        `unknown priority "${flags.minPriority}"`,
        `Use one of ${runtime.priorities.join(', ')}.`,
      );
    }
  }
  return {
    ruleMatching: flags.ruleMatching,
    ...(minPriority === undefined ? {} : { minPriority }),
    disableRules: flags.disableRule,
    disableTags: flags.disableTag,
    enableRules: flags.enableRule,
    onlyTags: flags.onlyTag,
    ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
  };
}

/** Loads rules; on a load error, shows the offending line with a caret before failing. */
async function loadRuntime(ctx: CliContext, paths: readonly string[], options: object) {
  const runtime = await runtimeModule();
  if (paths.length === 0)
    throw new UsageError('no rules files given', 'Pass at least one rules file with --rules FILE.');
  const files = await runtime.readRulesFiles(paths.map((p) => resolve(ctx.cwd, p)));
  try {
    return runtime.Runtime.fromContents(files, options);
  } catch (error) {
    if (error instanceof runtime.RulesLoadError) {
      const file = files.find((f) => f.name === error.location.file);
      if (file !== undefined) for (const line of snippetFor(file.content, error.location)) ctx.out.info(line);
    }
    throw error;
  }
}

function parseWindow(text: string, flag: string, now = Date.now()): Date {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return new Date(at);
  }
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(trimmed);
  if (match === null) {
    throw new UsageError(
      `${flag} must be a duration such as 30m, 24h or 7d, or an RFC 3339 time, not "${text}"`,
      `e.g. ${flag} 24h`,
    );
  }
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(now - Number(match[1]) * unit);
}

interface StoreFlags {
  database?: string;
  dataDir?: string;
}

function storeOptions(command: Command): Command {
  return command
    .option(
      '--database <url>',
      'postgres://… or sqlite:<file> (default: $CHARTROOM_DATABASE_URL, else SQLite in the data folder)',
    )
    .option(
      '--data-dir <dir>',
      'data folder for the embedded SQLite store (default: $CHARTROOM_DATA or ~/.local/share/chartroom)',
    );
}

async function openAlertStore(ctx: CliContext, flags: StoreFlags) {
  const { openStore } = await import('../store/index.js');
  const runtime = await runtimeModule();
  const store = await openStore({
    ...(flags.database === undefined ? {} : { url: flags.database }),
    ...(flags.dataDir === undefined ? {} : { dataDir: resolve(ctx.cwd, flags.dataDir) }),
    env: ctx.env,
  });
  const alerts = new runtime.AlertStore(store);
  await alerts.migrate();
  return { store, alerts };
}

interface QueryFlags extends StoreFlags {
  since: string;
  until?: string;
  rule?: string;
  source?: string;
  minPriority?: string;
  origin?: 'chartroom' | 'falco';
  search?: string;
  limit: string;
}

async function alertQuery(flags: QueryFlags) {
  const runtime = await runtimeModule();
  const minPriority = flags.minPriority === undefined ? undefined : runtime.parsePriority(flags.minPriority);
  if (flags.minPriority !== undefined && minPriority === undefined) {
    throw new UsageError(
      `unknown priority "${flags.minPriority}"`,
      `Use one of ${runtime.priorities.join(', ')}.`,
    );
  }
  if (!/^\d+$/.test(flags.limit))
    throw new UsageError(`--limit must be a whole number, not "${flags.limit}"`);
  const since = parseWindow(flags.since, '--since');
  const until = flags.until === undefined ? undefined : parseWindow(flags.until, '--until');
  // An empty window would answer "no alerts", which reads as good news.
  if (until !== undefined && until.getTime() <= since.getTime()) {
    throw new UsageError(
      `--until (${until.toISOString()}) is not after --since (${since.toISOString()})`,
      'A duration counts back from now: --since 24h --until 1h is the day before the last hour.',
    );
  }
  return {
    since,
    ...(until === undefined ? {} : { until }),
    ...(flags.rule === undefined ? {} : { rule: flags.rule }),
    ...(flags.source === undefined ? {} : { source: flags.source }),
    ...(minPriority === undefined ? {} : { minPriority }),
    ...(flags.origin === undefined ? {} : { origin: flags.origin }),
    ...(flags.search === undefined ? {} : { search: flags.search }),
    limit: Number(flags.limit),
  };
}

function queryOptions(command: Command, defaultSince: string): Command {
  return storeOptions(command)
    .option(
      '--since <when>',
      'start of the window: a duration back from now (30m, 24h, 7d) or an RFC 3339 time',
      defaultSince,
    )
    .option('--until <when>', 'end of the window (default: now)')
    .option('--source <source>', 'only alerts of this source (k8s_audit, syscall, …)')
    .option('--min-priority <priority>', 'only alerts at or above this priority')
    .addOption(
      new Option('--origin <origin>', 'only alerts raised by Chartroom or sent by Falco agents').choices([
        'chartroom',
        'falco',
      ]),
    );
}

interface ServeFlags extends SelectionFlags, StoreFlags {
  rules: string[];
  listen: string;
  auditPath: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  tokenFile?: string;
  allowUnauthenticated?: boolean;
  store: boolean;
  jsonOutput?: boolean;
  isoTime?: boolean;
  slack?: boolean;
  slackWebhookFile?: string;
  slackMinPriority?: string;
  slackRate?: string;
  slackBurst?: string;
  webhookUrl?: string;
  webhookSecretFile?: string;
  webhookMinPriority?: string;
  webhookRate?: string;
  webhookBurst?: string;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} must be a positive number, not "${text}"`);
  return value;
}

async function serveAction(flags: ServeFlags, command: Command, io: CliIo): Promise<void> {
  const ctx = contextFor(command, io);
  const { out } = ctx;
  const runtime = await runtimeModule();
  const { parseRuntimeSettings, createRuntimeService } = await import('../runtime/service.js');
  const listen = /^(?:(.*):)?(\d+)$/.exec(flags.listen);
  if (listen === null)
    throw new UsageError(`invalid --listen "${flags.listen}"`, 'Use host:port, e.g. 127.0.0.1:9765.');
  const policy = (prefix: string, min?: string, rate?: string, burst?: string) => ({
    ...(min === undefined ? {} : { minPriority: min }),
    ...(rate === undefined ? {} : { rate: number(`--${prefix}-rate`, rate) }),
    ...(burst === undefined ? {} : { burst: number(`--${prefix}-burst`, burst) }),
  });
  const settings = parseRuntimeSettings(
    {
      rules: flags.rules,
      ruleMatching: flags.ruleMatching,
      ...(flags.minPriority === undefined ? {} : { minPriority: flags.minPriority }),
      disableRules: flags.disableRule,
      disableTags: flags.disableTag,
      onlyTags: flags.onlyTag,
      timeFormatIso8601: flags.isoTime === true,
      ...(flags.hostname === undefined ? {} : { hostname: flags.hostname }),
      auditPath: flags.auditPath,
      ...(flags.tokenFile === undefined ? {} : { tokenFile: flags.tokenFile }),
      clientCertificates: flags.tlsClientCa !== undefined,
      allowUnauthenticated: flags.allowUnauthenticated === true,
      store: flags.store,
      stdout: { enabled: true, json: flags.jsonOutput === true || out.json },
      ...(flags.slack === true || flags.slackWebhookFile !== undefined
        ? {
            slack: {
              ...(flags.slackWebhookFile === undefined ? {} : { webhookUrlFile: flags.slackWebhookFile }),
              ...policy('slack', flags.slackMinPriority, flags.slackRate, flags.slackBurst),
            },
          }
        : {}),
      ...(flags.webhookUrl === undefined
        ? {}
        : {
            webhook: {
              url: flags.webhookUrl,
              ...(flags.webhookSecretFile === undefined ? {} : { secretFile: flags.webhookSecretFile }),
              ...policy('webhook', flags.webhookMinPriority, flags.webhookRate, flags.webhookBurst),
            },
          }),
    },
    'runtime serve',
  );
  if (
    settings.allowUnauthenticated &&
    !['127.0.0.1', 'localhost', '::1'].includes(listen[1] ?? '127.0.0.1')
  ) {
    throw new UsageError(
      '--allow-unauthenticated only works on a loopback address',
      'Use --listen 127.0.0.1:PORT, or give a token.',
    );
  }
  if ((flags.tlsKey !== undefined || flags.tlsClientCa !== undefined) && flags.tlsCert === undefined) {
    throw new UsageError('--tls-key and --tls-client-ca need --tls-cert');
  }
  const stored = settings.store ? await openAlertStore(ctx, flags) : undefined;
  const service = await createRuntimeService({
    settings,
    baseDir: ctx.cwd,
    env: ctx.env,
    ...(stored === undefined ? {} : { store: stored.store }),
    signal: ctx.signal,
    write: (line) => io.stdout.write(line),
    log: (message) => {
      out.warn(message);
    },
  });
  const receiver = await runtime.startReceiver({
    host: listen[1] ?? '127.0.0.1',
    port: Number(listen[2]),
    pipeline: service.pipeline,
    ...(service.token === undefined ? {} : { token: service.token }),
    allowUnauthenticated: settings.allowUnauthenticated,
    auditPath: settings.auditPath,
    falcoPaths: settings.falcoPaths,
    ...(flags.tlsCert === undefined
      ? {}
      : {
          tls: {
            cert: resolve(ctx.cwd, flags.tlsCert),
            ...(flags.tlsKey === undefined ? {} : { key: resolve(ctx.cwd, flags.tlsKey) }),
            ...(flags.tlsClientCa === undefined ? {} : { clientCa: resolve(ctx.cwd, flags.tlsClientCa) }),
          },
        }),
  });
  const rules = service.runtime?.engine.activeRules.length ?? 0;
  out.info(
    `listening on ${receiver.url}: audit webhook ${receiver.url}${settings.auditPath}, Falco alerts ${receiver.url}/ (${rules} active rules)`,
  );
  await untilAborted(ctx.signal);
  await receiver.close();
  await service.pipeline.close();
  await stored?.store.close();
  const stats = service.pipeline.stats();
  out.info(
    `stopped: ${stats.events} events, ${stats.chartroomAlerts} alerts from rules, ${stats.falcoAlerts} from Falco agents`,
  );
}

export const runtimeGroup: CommandGroup = (program: Command, io: CliIo) => {
  const group = program
    .command('runtime')
    .description(
      'Falco-compatible rules for Kubernetes audit events: validate, explain, test, replay; the audit webhook and Falco alert intake',
    );

  group
    .command('validate')
    .argument('<rules...>', 'rules files, loaded in order as Falco loads them')
    .description('load rules files as Falco does and report errors (file:line:col) and warnings')
    .option('--strict', 'fail (exit 1) on warnings too')
    .option('-q, --quiet', 'do not list warnings')
    .action(async (paths: string[], flags: { strict?: boolean; quiet?: boolean }, command: Command) => {
      const ctx = contextFor(command, io);
      const runtime = await loadRuntime(ctx, paths, {});
      const { engineVersion, formatVersion } = await runtimeModule();
      const loaded = runtime.rules;
      ctx.out.result(
        {
          valid: true,
          files: loaded.files,
          engineVersion: formatVersion(engineVersion),
          requiredEngineVersion:
            loaded.requiredEngineVersion === undefined ? null : formatVersion(loaded.requiredEngineVersion),
          rules: loaded.rules.map((r) => ({
            name: r.name,
            source: r.source,
            priority: r.priority,
            enabled: r.enabled,
            tags: r.tags,
            location: r.location,
          })),
          macros: loaded.macros.size,
          lists: loaded.lists.size,
          warnings: loaded.warnings,
        },
        (value, out) => {
          renderValidation(value, loaded.warnings, out, flags.quiet === true);
        },
      );
      if (flags.strict === true && loaded.warnings.length > 0) throw new ExitRequest(ExitCode.findings);
    });

  group
    .command('explain')
    .argument('<rule>', 'the rule name')
    .description('show a rule fully expanded: lists, macros and exceptions, one clause per line')
    .option('-r, --rules <file>', 'rules file, repeatable, in load order', collect, [])
    .action(async (name: string, flags: { rules: string[] }, command: Command) => {
      const ctx = contextFor(command, io);
      const runtime = await loadRuntime(ctx, flags.rules, {});
      const { explainRule } = await runtimeModule();
      const explanation = explainRule(runtime.rules, name);
      const indexed = runtime.engine.indexFields(explanation.source);
      ctx.out.result({ ...explanation, indexFields: indexed }, (value, out) => {
        renderExplanation(value, indexed, out);
      });
    });

  selectionOptions(
    group
      .command('replay')
      .argument('<events...>', 'JSONL audit logs (files or folders; - for stdin), replayed in order')
      .description('run rules over recorded audit events and print the alerts as Falco does')
      .option('-r, --rules <file>', 'rules file, repeatable, in load order', collect, [])
      .option('--json-output', 'print alerts as Falco JSON (also with -o json)')
      .option('--iso-time', 'prefix alert lines with the ISO 8601 time (Falco’s time_format_iso_8601)')
      .option('--summary', 'print only the alert counts per rule'),
  ).action(
    async (
      paths: string[],
      flags: SelectionFlags & { rules: string[]; jsonOutput?: boolean; isoTime?: boolean; summary?: boolean },
      command: Command,
    ) => {
      const ctx = contextFor(command, io);
      const { out } = ctx;
      const runtime = await loadRuntime(ctx, flags.rules, {
        ...(await engineOptions(flags)),
        timeFormatIso8601: flags.isoTime === true,
      });
      const { replayFiles, formatAlertLine } = await runtimeModule();
      const json = flags.jsonOutput === true || out.json;
      const summary = await replayFiles(
        runtime,
        paths.map((p) => (p === '-' ? p : resolve(ctx.cwd, p))),
        {
          signal: ctx.signal,
          stdin: process.stdin,
          onError: (message) => {
            out.warn(message);
          },
          ...(flags.summary === true
            ? {}
            : { onAlert: (alert) => io.stdout.write(`${formatAlertLine(alert, { json })}\n`) }),
        },
      );
      if (flags.summary === true) {
        out.result(summary, (value, o) => {
          renderCounts(
            Object.entries(value.counts).map(([rule, count]) => ({ rule, count })),
            o,
          );
        });
      }
      out.info(
        `replayed ${summary.events} events in ${summary.seconds.toFixed(2)}s: ${summary.alerts} alerts from ${Object.keys(summary.counts).length} rules${summary.errors > 0 ? `, ${summary.errors} unusable events` : ''}`,
      );
    },
  );

  group
    .command('test')
    .argument('<specs...>', 'rules test files (YAML: rules, cases with events and expected counts per rule)')
    .description('run rules tests offline: rules + events + the alerts expected per rule')
    .action(async (specs: string[], _flags: object, command: Command) => {
      const ctx = contextFor(command, io);
      const { readTestSpec, runTestSpec } = await runtimeModule();
      const results = [];
      for (const file of specs) {
        const spec = await readTestSpec(resolve(ctx.cwd, file));
        results.push({ file, cases: await runTestSpec(spec, { signal: ctx.signal }) });
      }
      ctx.out.result(results, (value, out) => {
        renderOutcomes(value, out);
      });
      if (results.some((r) => r.cases.some((c) => !c.passed))) throw new ExitRequest(ExitCode.findings);
    });

  group
    .command('fields')
    .description('list the fields conditions and outputs can use, per source')
    .option('--source <source>', 'only this source', 'k8s_audit')
    .action(async (flags: { source: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const { defaultSources } = await runtimeModule();
      const source = defaultSources({ hostname: '' }).find((s) => s.name === flags.source);
      if (source === undefined)
        throw new UsageError(`unknown source "${flags.source}"`, 'Sources: k8s_audit, syscall.');
      const fields = source.fields();
      ctx.out.result(fields, (value, out) => {
        renderFields(value, out);
      });
    });

  selectionOptions(
    storeOptions(
      group
        .command('serve')
        .description(
          'receive kube-apiserver audit events and Falco agents’ alerts; run the rules; print, store and forward alerts',
        )
        .option(
          '-r, --rules <file>',
          'rules file for audit events, repeatable (none: only Falco alerts are taken)',
          collect,
          [],
        )
        .option('--listen <host:port>', 'address to listen on', '127.0.0.1:9765')
        .option('--audit-path <path>', 'path of the audit webhook', '/k8s-audit')
        .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; may also hold the key)')
        .option('--tls-key <file>', 'the private key, if not in --tls-cert')
        .option(
          '--tls-client-ca <file>',
          'accept clients with a certificate signed by this CA (no token needed)',
        )
        .option('--token-file <file>', 'bearer token clients must send (default: $CHARTROOM_RUNTIME_TOKEN)')
        .option('--allow-unauthenticated', 'accept anyone; only on a loopback address, for trying things out')
        .option('--no-store', 'do not keep alerts in the store')
        .option('--json-output', 'print alerts as Falco JSON')
        .option('--iso-time', 'prefix alert lines with the ISO 8601 time')
        .option('--slack', 'send alerts to Slack ($CHARTROOM_SLACK_WEBHOOK_URL)')
        .option('--slack-webhook-file <file>', 'a file holding the Slack incoming webhook URL')
        .option('--slack-min-priority <priority>', 'only alerts at or above this priority to Slack')
        .option('--slack-rate <per-second>', 'at most this many Slack messages per second on average')
        .option('--slack-burst <n>', 'allow bursts of up to n Slack messages')
        .option('--webhook-url <url>', 'POST alerts as Falco JSON to this URL')
        .option(
          '--webhook-secret-file <file>',
          'sign webhook bodies with this HMAC secret (X-Chartroom-Signature-256)',
        )
        .option('--webhook-min-priority <priority>', 'only alerts at or above this priority to the webhook')
        .option('--webhook-rate <per-second>', 'at most this many webhook posts per second on average')
        .option('--webhook-burst <n>', 'allow bursts of up to n webhook posts'),
    ),
  ).action(async (flags: ServeFlags, command: Command) => serveAction(flags, command, io));

  queryOptions(
    group
      .command('counts')
      .description('alerts per rule over a window, most frequent first (from the store)'),
    '24h',
  ).action(async (flags: QueryFlags, command: Command) => {
    const ctx = contextFor(command, io);
    const query = await alertQuery({ ...flags, limit: '1' });
    const { store, alerts } = await openAlertStore(ctx, flags);
    try {
      const counts = await alerts.countsByRule(query);
      ctx.out.result(counts, (value, out) => {
        renderCounts(value, out);
      });
    } finally {
      await store.close();
    }
  });

  queryOptions(
    group
      .command('alerts')
      .description('the most recent alerts, newest first, with filters (from the store)')
      .option('--rule <name>', 'only this rule')
      .option('--search <text>', 'only alerts whose output contains this text')
      .option('--limit <n>', 'at most n alerts', '100'),
    '1h',
  ).action(async (flags: QueryFlags, command: Command) => {
    const ctx = contextFor(command, io);
    const query = await alertQuery(flags);
    const { store, alerts } = await openAlertStore(ctx, flags);
    try {
      const rows = await alerts.alerts(query);
      if (ctx.out.json) {
        // Falco's JSON alert objects, one per line, with 64-bit numbers kept exact.
        const { alertJsonObject, stringifyFalcoJson } = await runtimeModule();
        for (const row of rows)
          io.stdout.write(
            `${stringifyFalcoJson({ id: row.id, origin: row.origin, ...alertJsonObject(row) })}\n`,
          );
      } else {
        renderAlertRows(rows, ctx.out);
      }
    } finally {
      await store.close();
    }
  });
};
