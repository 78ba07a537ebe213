/**
 * Assembles a running intake from settings (CLI flags of `chartroom runtime serve`, or the
 * `runtime:` section of chartroom-server.yaml): rules, the pipeline and its sinks (stdout, store,
 * Slack, webhook). Secrets (Slack webhook URL, webhook signing secret, intake token) come from
 * files or the environment, never from the command line.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import { AlertPipeline } from './engine/pipeline.js';
import { Runtime, readRulesFiles } from './engine/runtime.js';
import { alertJson } from './outputs/alert.js';
import { AlertStore, StoreSink } from './outputs/alert-store.js';
import { PrinterSink } from './outputs/printer.js';
import type { AlertSink } from './outputs/sink.js';
import { slackSink, webhookSink } from './outputs/slack.js';
import { parsePriority, type Priority } from './rules/priority.js';

const priority = z.string().transform((text, ctx): Priority => {
  const parsed = parsePriority(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown priority "${text}" (emergency … debug)` });
    return z.NEVER;
  }
  return parsed;
});

const policy = {
  minPriority: priority.optional(),
  rate: z.number().positive().optional(),
  burst: z.number().int().positive().optional(),
};

export const runtimeSettingsSchema = z
  .object({
    rules: z.array(z.string().min(1)).default([]),
    ruleMatching: z.enum(['first', 'all']).default('first'),
    minPriority: priority.optional(),
    disableRules: z.array(z.string()).default([]),
    disableTags: z.array(z.string()).default([]),
    onlyTags: z.array(z.string()).default([]),
    timeFormatIso8601: z.boolean().default(false),
    hostname: z.string().optional(),
    auditPath: z.string().startsWith('/').default('/k8s-audit'),
    falcoPaths: z.array(z.string().startsWith('/')).default(['/', '/falco']),
    maxEventSize: z.number().int().positive().optional(),
    maxBatchSize: z.number().int().positive().optional(),
    /** A file holding the bearer token clients must send (or CHARTROOM_RUNTIME_TOKEN). */
    tokenFile: z.string().optional(),
    /** Accept clients with a certificate verified by the server's TLS client CA. */
    clientCertificates: z.boolean().default(false),
    /** Only for trying things out on a loopback address. */
    allowUnauthenticated: z.boolean().default(false),
    store: z.boolean().default(true),
    stdout: z
      .object({ enabled: z.boolean().default(false), json: z.boolean().default(false), ...policy })
      .strict()
      .default({ enabled: false, json: false }),
    slack: z
      .object({
        /** A file holding the incoming webhook URL (or CHARTROOM_SLACK_WEBHOOK_URL). */
        webhookUrlFile: z.string().optional(),
        channel: z.string().optional(),
        username: z.string().optional(),
        ...policy,
      })
      .strict()
      .optional(),
    webhook: z
      .object({
        url: z.url(),
        headers: z.record(z.string(), z.string()).default({}),
        /** A file holding the HMAC secret that signs each body (or CHARTROOM_RUNTIME_WEBHOOK_SECRET). */
        secretFile: z.string().optional(),
        ...policy,
      })
      .strict()
      .optional(),
  })
  .strict();

export type RuntimeSettings = z.infer<typeof runtimeSettingsSchema>;

export function parseRuntimeSettings(raw: unknown, where: string): RuntimeSettings {
  const parsed = runtimeSettingsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(
    `${where}: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(top)'}: ${issue.message}`}`,
    'See docs/runtime.md for the runtime settings.',
  );
}

async function secret(
  file: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): Promise<string | undefined> {
  if (file !== undefined) {
    let text: string;
    try {
      text = (await readFile(resolve(baseDir, file), 'utf8')).trim();
    } catch (error) {
      throw new ConfigError(`cannot read ${file}`, 'Check the path of the secret file.', error);
    }
    // An empty file is a secret not written yet: refuse it rather than compare tokens against ''.
    if (text === '') throw new ConfigError(`${file} is empty`, 'Write the secret into the file.');
    return text;
  }
  const value = env[envName];
  return value === undefined || value === '' ? undefined : value.trim();
}

export interface ServiceOptions {
  settings: RuntimeSettings;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** Where stored alerts go; no store sink when absent. */
  store?: Store;
  signal?: AbortSignal;
  write?: (line: string) => void;
  log: (message: string) => void;
}

export interface RuntimeService {
  pipeline: AlertPipeline;
  runtime: Runtime | undefined;
  token: string | undefined;
  alertStore: AlertStore | undefined;
}

/** Loads rules and wires the sinks. Rules are optional: without them only Falco alerts are taken. */
export async function createRuntimeService(options: ServiceOptions): Promise<RuntimeService> {
  const { settings, env, baseDir, log } = options;
  const runtime =
    settings.rules.length === 0
      ? undefined
      : Runtime.fromContents(await readRulesFiles(settings.rules.map((r) => resolve(baseDir, r))), {
          ruleMatching: settings.ruleMatching,
          ...(settings.minPriority === undefined ? {} : { minPriority: settings.minPriority }),
          disableRules: settings.disableRules,
          disableTags: settings.disableTags,
          onlyTags: settings.onlyTags,
          timeFormatIso8601: settings.timeFormatIso8601,
          ...(settings.hostname === undefined ? {} : { hostname: settings.hostname }),
        });
  const sinks: AlertSink[] = [];
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const { stdout } = settings;
  if (stdout.enabled && options.write !== undefined) {
    sinks.push(new PrinterSink({ ...stdout, write: options.write }));
  }
  let alertStore: AlertStore | undefined;
  if (settings.store && options.store !== undefined) {
    alertStore = new AlertStore(options.store);
    await alertStore.migrate();
    sinks.push(new StoreSink(alertStore, { onError: log }));
  }
  if (settings.slack !== undefined) {
    const { webhookUrlFile, ...slack } = settings.slack;
    const webhookUrl = await secret(webhookUrlFile, 'CHARTROOM_SLACK_WEBHOOK_URL', env, baseDir);
    if (webhookUrl === undefined) {
      throw new ConfigError(
        'slack output: no webhook URL',
        'Give slack.webhookUrlFile or set CHARTROOM_SLACK_WEBHOOK_URL.',
      );
    }
    sinks.push(slackSink({ ...slack, webhookUrl, onError: log, ...signal }));
  }
  if (settings.webhook !== undefined) {
    const { secretFile, ...webhook } = settings.webhook;
    const signingSecret = await secret(secretFile, 'CHARTROOM_RUNTIME_WEBHOOK_SECRET', env, baseDir);
    sinks.push(
      webhookSink(
        {
          ...webhook,
          ...(signingSecret === undefined ? {} : { secret: signingSecret }),
          onError: log,
          ...signal,
        },
        (alert) => alertJson(alert),
      ),
    );
  }
  const token = await secret(settings.tokenFile, 'CHARTROOM_RUNTIME_TOKEN', env, baseDir);
  if (token === undefined && !settings.clientCertificates && !settings.allowUnauthenticated) {
    throw new ConfigError(
      'the runtime intake has no authentication',
      'Give a token (tokenFile or CHARTROOM_RUNTIME_TOKEN), or clientCertificates with a TLS client CA.',
    );
  }
  return { pipeline: new AlertPipeline(runtime, sinks, log), runtime, token, alertStore };
}
