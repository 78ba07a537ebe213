/**
 * The `previews:` section of chartroom-server.yaml (see docs/previews.md):
 *
 * ```yaml
 * previews:
 *   domain: threduptest.com            # hosts are <label>.<domain>: one label under a wildcard
 *   concurrency: 3                     # deploys at once
 *   maxPreviews: 25
 *   ttl: 7d                            # torn down after this long without a push (0: never)
 *   webhooks:
 *     github: { secretFile: /etc/chartroom/github-webhook-secret }
 *   apps:
 *     - repo: thredup/webapp
 *       source: { git: https://github.com/thredup/webapp.git }
 *       environment: staging
 *       github: { tokenEnv: GITHUB_TOKEN }
 * ```
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseDuration } from './duration.js';

const duration = z.union([z.string(), z.number().int().min(0)]).transform((value, context) => {
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 10m, 12h or 7d' });
    return z.NEVER;
  }
  return ms;
});

/** A secret given inline, by environment variable, or by file (preferred: nothing in the config). */
const secretRef = z
  .object({
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    secretEnv: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (ref) => [ref.secret, ref.secretEnv, ref.secretFile].filter((value) => value !== undefined).length === 1,
    'give exactly one of secret, secretEnv, secretFile',
  );
export type SecretRef = z.infer<typeof secretRef>;

const tokenRef = z
  .object({
    token: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    tokenFile: z.string().min(1).optional(),
  })
  .strict();

const dnsName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dottedPath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted values path');

const appSchema = z
  .object({
    /** Default: the name in the app's chartroom.yaml. */
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(40)
      .optional(),
    /** How webhooks name the repository: GitHub/Bitbucket full_name, GitLab path_with_namespace. */
    repo: z.string().min(1),
    source: z.union([
      /** A fixed app folder on the server: only the generated values change per commit. */
      z.object({ path: z.string().min(1) }).strict(),
      /** Fetch each commit and deploy the app folder as it is in that commit. */
      z.object({ git: z.string().min(1), dir: z.string().default('.') }).strict(),
    ]),
    /** The app's environment whose values and secrets previews use. Never production's. */
    environment: z.string().default('staging'),
    /** Templates over {app}, {label}, {domain}. */
    namespace: z.string().default('{app}-{label}'),
    host: z.string().default('{label}.{domain}'),
    /** Default: the release of the environment in chartroom.yaml (one release per namespace). */
    release: z.string().optional(),
    /** Where the generated values go in the chart (dotted paths); null leaves one out. */
    values: z
      .object({
        host: dottedPath.nullable().default('ingress.host'),
        imageTag: dottedPath.nullable().default('image.tag'),
        envName: dottedPath.nullable().default('env.CHARTROOM_ENV'),
        url: dottedPath.nullable().default(null),
      })
      .strict()
      .default({ host: 'ingress.host', imageTag: 'image.tag', envName: 'env.CHARTROOM_ENV', url: null }),
    /** `{commit}` (40 hex) or `{short}` (the first 7), with any text around it. */
    imageTag: z.string().default('{commit}'),
    /** Branches that never get a preview (globs; the repository's default branch is added). */
    ignoreBranches: z.array(z.string().min(1)).default(['main', 'master']),
    /** Environment variables for deploys (e.g. SOPS_AGE_KEY_FILE); file paths are not resolved. */
    env: z.record(z.string(), z.string()).default({}),
    timeout: z.string().optional(),
    github: tokenRef
      .extend({
        /** owner/name; default: repo. */
        repo: z.string().optional(),
        apiUrl: z.url().default('https://api.github.com'),
        /** Post GitHub Deployments and statuses (default true when a token is given). */
        deployments: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** Where the sweep learns which branches still exist: `github` (API), `git` (ls-remote), `none`. */
    branchesFrom: z.enum(['github', 'git', 'none']).optional(),
  })
  .strict();

export const previewsConfigSchema = z
  .object({
    domain: z.string().regex(dnsName, 'must be a DNS name such as preview.example.com'),
    /** How users reach previews; the port only when it is not the scheme's own. */
    scheme: z.enum(['http', 'https']).default('https'),
    port: z.number().int().min(1).max(65535).optional(),
    /** Route *.<domain> requests arriving at this server to the previews (clusters without ingress). */
    proxy: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(64).default(3),
    maxPreviews: z.number().int().min(1).max(10_000).default(25),
    ttl: duration.default(7 * 86_400_000),
    sweepInterval: duration.default(10 * 60_000),
    /** How often the controller re-reads every preview namespace (level-based safety net). */
    resyncInterval: duration.default(30_000),
    /** The sweep leaves previews pushed to more recently than this alone (the git host may lag). */
    sweepGrace: duration.default(2 * 60_000),
    /** Deliveries remembered for deduplication. */
    deliveryRetention: duration.default(7 * 86_400_000),
    quota: z.record(z.string(), z.string()).default({
      'requests.cpu': '4',
      'requests.memory': '8Gi',
      'limits.memory': '16Gi',
      pods: '40',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
      persistentvolumeclaims: '5',
    }),
    limits: z
      .object({
        default: z.record(z.string(), z.string()).default({ cpu: '1', memory: '512Mi' }),
        defaultRequest: z.record(z.string(), z.string()).default({ cpu: '100m', memory: '128Mi' }),
        max: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .default({ default: { cpu: '1', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }),
    webhooks: z
      .object({
        github: secretRef.optional(),
        gitlab: secretRef.optional(),
        bitbucket: secretRef.optional(),
        postReceive: secretRef.optional(),
      })
      .strict()
      .default({}),
    apps: z.array(appSchema).min(1, 'add at least one app'),
  })
  .strict();

export type PreviewsConfigInput = z.input<typeof previewsConfigSchema>;
type Parsed = z.infer<typeof previewsConfigSchema>;
export type AppSection = z.infer<typeof appSchema>;

export interface ResolvedApp extends Omit<AppSection, 'source' | 'github' | 'name'> {
  /** The app name, resolved later from chartroom.yaml when not given. */
  name: string | undefined;
  source: { kind: 'path'; path: string } | { kind: 'git'; url: string; dir: string };
  github: { repo: string; apiUrl: string; token: string | undefined; deployments: boolean } | undefined;
  branchesFrom: 'github' | 'git' | 'none';
}

export interface PreviewsConfig extends Omit<Parsed, 'webhooks' | 'apps'> {
  /** The secrets themselves, read once at start. */
  webhooks: Partial<Record<'github' | 'gitlab' | 'bitbucket' | 'postReceive', Buffer>>;
  apps: ResolvedApp[];
}

function readSecret(
  ref: { secret?: string; secretEnv?: string; secretFile?: string },
  where: string,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): Buffer {
  let value: string | undefined = ref.secret;
  if (ref.secretEnv !== undefined) {
    value = env[ref.secretEnv];
    if (value === undefined || value === '')
      throw new ConfigError(`${where}: environment variable ${ref.secretEnv} is not set`);
  }
  if (ref.secretFile !== undefined) {
    try {
      value = readFileSync(resolve(baseDir, ref.secretFile), 'utf8').trim();
    } catch (error) {
      throw new ConfigError(
        `${where}: cannot read ${ref.secretFile}`,
        'Check secretFile (relative paths are resolved against the config file).',
        error,
      );
    }
  }
  if (value === undefined || value.length < 16)
    throw new ConfigError(`${where}: the secret must be at least 16 characters`);
  return Buffer.from(value, 'utf8');
}

function readToken(
  ref: { token?: string; tokenEnv?: string; tokenFile?: string },
  baseDir: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (ref.token !== undefined) return ref.token;
  if (ref.tokenEnv !== undefined) return env[ref.tokenEnv];
  if (ref.tokenFile !== undefined) {
    try {
      return readFileSync(resolve(baseDir, ref.tokenFile), 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`previews: cannot read the GitHub token file ${ref.tokenFile}`, undefined, error);
    }
  }
  return undefined;
}

/** Validates the section and reads its secrets; errors name the field at fault. */
export function loadPreviewsConfig(
  section: unknown,
  options: { baseDir: string; env?: NodeJS.ProcessEnv },
): PreviewsConfig {
  const env = options.env ?? process.env;
  const parsed = previewsConfigSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    throw new ConfigError(
      `previews${field === '' ? '' : `.${field}`}: ${issue?.message ?? 'invalid'}`,
      'See docs/previews.md for the previews section of chartroom-server.yaml.',
    );
  }
  const data = parsed.data;
  const webhooks: PreviewsConfig['webhooks'] = {};
  for (const [name, ref] of Object.entries(data.webhooks) as [
    keyof PreviewsConfig['webhooks'],
    SecretRef,
  ][]) {
    webhooks[name] = readSecret(ref, `previews.webhooks.${name}`, options.baseDir, env);
  }
  if (Object.keys(webhooks).length === 0) {
    throw new ConfigError(
      'previews.webhooks: no webhook is configured, so no push could ever be verified',
      'Add webhooks.github, gitlab, bitbucket or postReceive with a secret.',
    );
  }
  const apps = data.apps.map((app, index): ResolvedApp => {
    const where = `previews.apps.${index}`;
    if (/^prod/i.test(app.environment))
      throw new ConfigError(
        `${where}.environment: previews never deploy with production values (${app.environment})`,
        'Use the staging environment of chartroom.yaml.',
      );
    for (const template of [app.namespace, app.host]) {
      if (!template.includes('{label}'))
        throw new ConfigError(
          `${where}: "${template}" must contain {label}, or every branch gets the same name`,
        );
    }
    const source =
      'path' in app.source
        ? { kind: 'path' as const, path: resolve(options.baseDir, app.source.path) }
        : {
            kind: 'git' as const,
            // A local path is made absolute; URLs are kept.
            url: /^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^:]+:/.test(app.source.git)
              ? app.source.git
              : resolve(options.baseDir, app.source.git),
            dir: app.source.dir,
          };
    const github =
      app.github === undefined
        ? undefined
        : (() => {
            const token = readToken(app.github, options.baseDir, env);
            return {
              repo: app.github.repo ?? app.repo,
              apiUrl: app.github.apiUrl.replace(/\/+$/, ''),
              token,
              deployments: app.github.deployments ?? token !== undefined,
            };
          })();
    const { name, source: _source, github: _github, branchesFrom, ...rest } = app;
    return {
      ...rest,
      name,
      source,
      github,
      branchesFrom:
        branchesFrom ?? (github?.token !== undefined ? 'github' : source.kind === 'git' ? 'git' : 'none'),
    };
  });
  const hosts = new Set<string>();
  for (const app of apps) {
    if (hosts.has(app.host))
      throw new ConfigError(
        `previews.apps: two apps share the host template ${app.host}`,
        'Give each app its own, e.g. host: "{label}-{app}.{domain}".',
      );
    hosts.add(app.host);
  }
  const { webhooks: _webhooks, apps: _apps, ...rest } = data;
  return { ...rest, webhooks, apps };
}
