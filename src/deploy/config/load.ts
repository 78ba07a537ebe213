/**
 * Finds and validates an app's `chartroom.yaml`, and resolves one environment of it (with the
 * command line's overrides) into what a deploy needs. An app without the file still deploys when
 * it has the talk's layout: one chart under helm/ and helm/env/<env>.yaml files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, NotFoundError, UsageError } from '../../core/errors.js';
import { parseGoDuration } from '../helm/duration.js';
import {
  appConfigSchema,
  namespaceSchema,
  releaseSchema,
  type DependencyConfig,
  type EnvironmentConfig,
} from './schema.js';

export const appConfigFileName = 'chartroom.yaml';

export interface AppConfig {
  /** The app's folder (absolute). */
  dir: string;
  /** The chartroom.yaml read, or undefined when the layout was inferred. */
  file: string | undefined;
  name: string;
  /** The chart folder (absolute). */
  chart: string;
  release: string | undefined;
  timeout: string | undefined;
  environments: Record<string, Partial<EnvironmentConfig>>;
  dependencies: DependencyConfig[];
}

export interface ValuesFileRef {
  /** Absolute path. */
  path: string;
  /** As written (relative to the app), for messages and records. */
  display: string;
  optional: boolean;
}

export interface ResolvedEnvironment {
  app: string;
  env: string;
  namespace: string;
  release: string;
  chart: string;
  values: ValuesFileRef[];
  timeoutMs: number;
  timeout: string;
  atomic: boolean;
  context: string | undefined;
}

export interface EnvironmentOverrides {
  release?: string;
  namespace?: string;
  timeout?: string;
  atomic?: boolean;
}

/** Helm's default `--timeout` is 5m; the talk's deploy used 600 (seconds), so 10m it is. */
export const defaultTimeout = '10m';

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return lines.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
  return `${where}${issue.message}`;
}

/** Parses and validates chartroom.yaml text; errors name the file and line. */
export function parseAppConfig(text: string, file: string): z.infer<typeof appConfigSchema> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new ConfigError(
      `${file}:${line}: ${syntax.message.split('\n')[0] ?? 'invalid YAML'}`,
      'Fix the YAML syntax of chartroom.yaml.',
    );
  }
  const parsed = appConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined) throw new ConfigError(`${file}: invalid`);
    const line = lineOf(doc, lines, issue.path);
    throw new ConfigError(
      `${file}${line === undefined ? '' : `:${line}`}: ${describeIssue(issue)}`,
      'See docs/deploy.md for the chartroom.yaml format.',
    );
  }
  return parsed.data;
}

/** The talk's layout without a chartroom.yaml: helm/<chart>/Chart.yaml and helm/env/<env>.yaml. */
function inferLayout(dir: string): AppConfig {
  const helmDir = join(dir, 'helm');
  const charts = existsSync(helmDir)
    ? readdirSync(helmDir).filter((entry) => existsSync(join(helmDir, entry, 'Chart.yaml')))
    : [];
  const chart = charts.length === 1 ? charts[0] : undefined;
  if (chart === undefined) {
    throw new NotFoundError(
      `no ${appConfigFileName} in ${dir}${charts.length > 1 ? ` and ${charts.length} charts under helm/` : ''}`,
      `Add ${appConfigFileName} (see docs/deploy.md), or pass --app with the app's folder.`,
    );
  }
  const envDir = join(helmDir, 'env');
  const environments: Record<string, Partial<EnvironmentConfig>> = {};
  if (existsSync(envDir)) {
    for (const entry of readdirSync(envDir)) {
      const match = /^(?!secrets\.)(.+)\.ya?ml$/.exec(entry);
      if (match?.[1] !== undefined) environments[match[1]] = {};
    }
  }
  return {
    dir,
    file: undefined,
    name: chart,
    chart: join(helmDir, chart),
    release: undefined,
    timeout: undefined,
    environments,
    dependencies: [],
  };
}

/** Loads the app in `dir` (its chartroom.yaml, or the inferred talk layout). */
export async function loadAppConfig(dir: string): Promise<AppConfig> {
  const appDir = resolve(dir);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    // `--app chartroom.yaml` is a likely slip: say it is a file rather than that nothing is there.
    throw new NotFoundError(
      existsSync(appDir) ? `app folder ${dir} is a file, not a folder` : `app folder ${dir} does not exist`,
      'Pass --app with the folder that holds chartroom.yaml.',
    );
  }
  const file = join(appDir, appConfigFileName);
  if (!existsSync(file)) return inferLayout(appDir);
  const config = parseAppConfig(await readFile(file, 'utf8'), file);
  return {
    dir: appDir,
    file,
    name: config.name,
    chart: resolve(appDir, config.chart ?? join('helm', config.name)),
    release: config.release,
    timeout: config.timeout,
    environments: config.environments,
    dependencies: config.dependencies ?? [],
  };
}

function checked<T>(schema: z.ZodType<T>, value: string, flag: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(`${flag} ${JSON.stringify(value)}: ${result.error.issues[0]?.message ?? 'invalid'}`);
}

/** One environment of the app, with flags applied over the file. */
export function resolveEnvironment(
  app: AppConfig,
  env: string,
  overrides: EnvironmentOverrides = {},
): ResolvedEnvironment {
  const environment = app.environments[env];
  if (environment === undefined) {
    const known = Object.keys(app.environments);
    throw new UsageError(
      `app ${app.name} has no environment ${JSON.stringify(env)}`,
      known.length === 0 ? `Add it to ${appConfigFileName}.` : `Known environments: ${known.join(', ')}.`,
    );
  }
  const namespace = overrides.namespace ?? environment.namespace;
  if (namespace === undefined) {
    throw new UsageError(
      `no namespace for environment ${env}`,
      `Pass --namespace, or set environments.${env}.namespace in ${appConfigFileName}.`,
    );
  }
  const release = overrides.release ?? environment.release ?? app.release ?? app.name;
  const timeout = overrides.timeout ?? environment.timeout ?? app.timeout ?? defaultTimeout;
  const timeoutMs = parseGoDuration(timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout ${JSON.stringify(timeout)} is not a duration`);
  if (!existsSync(join(app.chart, 'Chart.yaml'))) {
    throw new NotFoundError(
      `no chart at ${relative(process.cwd(), app.chart) || app.chart} (Chart.yaml missing)`,
      `Set chart: in ${appConfigFileName} to the chart's folder, relative to the app.`,
    );
  }
  const entries = environment.values ?? [
    { file: join('helm', 'env', `secrets.${env}.yaml`), optional: true },
    join('helm', 'env', `${env}.yaml`),
  ];
  const values = entries.map((entry): ValuesFileRef => {
    const display = typeof entry === 'string' ? entry : entry.file;
    return {
      path: resolve(app.dir, display),
      display,
      optional: typeof entry === 'string' ? false : entry.optional === true,
    };
  });
  return {
    app: app.name,
    env,
    namespace: checked(namespaceSchema, namespace, '--namespace'),
    release: checked(releaseSchema, release, '--release'),
    chart: app.chart,
    values,
    timeoutMs,
    timeout,
    atomic: overrides.atomic ?? environment.atomic ?? false,
    context: environment.context,
  };
}

/** For messages: the app folder as the user would write it. */
export function displayDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel || basename(dir);
}
