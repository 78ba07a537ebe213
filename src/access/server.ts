/**
 * access in `chartroom serve`: the TokenReview webhook route, Chartroom's grants in the mapping,
 * and the expiry of grants on time, configured by the `access:` section of the server config:
 *
 *   access:
 *     clusterId: prod              # tokens must be signed for it
 *     region: eu-west-1            # optional; partition defaults to aws
 *     mapping: aws-auth.yaml       # optional; relative to the config file; watched for edits
 *     grants: prod                 # catalog cluster whose grants map here (default: clusterId)
 *     path: /authenticate          # default
 *     callerTokenFile: token.txt   # optional: callers must send it as a bearer token
 *     catalog: clusters.yaml       # optional: the approvers of the grants cluster (dashboard)
 *     dashboard:
 *       audience: prod-dashboard   # what sign-in tokens are signed for (default chartroom-dashboard-<clusterId>)
 *       sessionTtl: 1h             # default
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { DashboardPage, ServerContext, ServerPlugin } from '../server/index.js';
import { dashboard } from '../server/index.js';
import { AccessDashboard } from './dashboard/dashboard.js';
import { DashboardSessions } from './dashboard/sessions.js';
import { parseDuration } from './requests/duration.js';
import { IdentityMapper } from './mapping/mapper.js';
import { watchMappingFile } from './mapping/watch.js';
import { runExpiryLoop } from './requests/expiry.js';
import { kubeRbacClient } from './requests/kube-rbac.js';
import type { RbacClient } from './requests/rbac.js';
import { accessMigrations } from './requests/migrations.js';
import { AccessRequests } from './requests/service.js';
import type { StsTransport } from './verify/sts-transport.js';
import { TokenVerifier } from './verify/verifier.js';
import { registerTokenReviewRoute } from './webhook/route.js';

const settingsSchema = z
  .object({
    clusterId: z.string().min(1),
    partition: z.string().default('aws'),
    region: z.string().optional(),
    mapping: z.string().optional(),
    grants: z.string().optional(),
    path: z.string().startsWith('/').default('/authenticate'),
    callerTokenFile: z.string().optional(),
    catalog: z.string().optional(),
    dashboard: z
      .object({
        audience: z.string().min(1).optional(),
        sessionTtl: z.string().default('1h').refine(isDuration, 'a duration like 1h or 30m'),
      })
      .strict()
      .default({ sessionTtl: '1h' }),
  })
  .strict();

function isDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}

const notConfigured: DashboardPage = {
  path: '/access',
  title: 'Access',
  order: 30,
  render: () =>
    Promise.resolve(
      dashboard.html`<h1>Access requests</h1>
        <p class="empty">
          Access is not configured on this server. Add an <code>access:</code> section to
          chartroom-server.yaml (see docs/access.md).
        </p>`.value,
    ),
};

export interface AccessServerPluginOptions {
  /** Tests hand in the STS stand-in; production always talks to STS (nothing in config can change it). */
  transport?: StsTransport;
  now?: () => Date;
}

export function accessServerPlugin(options: AccessServerPluginOptions = {}): ServerPlugin {
  let grantsCluster: string | undefined;
  let page: DashboardPage | undefined;
  let rbac: RbacClient | undefined;
  return {
    name: 'access',
    migrations: accessMigrations,
    dashboard: () => [page ?? notConfigured],
    async register(app, context: ServerContext) {
      const raw = context.section('access');
      if (raw === undefined) return;
      const parsed = settingsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(
          `access.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
          'See docs/access.md, "In chartroom serve".',
        );
      }
      const settings = parsed.data;
      const resolvePath = (path: string): string =>
        isAbsolute(path) ? path : join(context.config.baseDir, path);
      const requests = await AccessRequests.open({
        store: context.store,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      grantsCluster = settings.grants ?? settings.clusterId;
      const mapper = new IdentityMapper({ grants: requests.grantLookup(grantsCluster) });
      if (settings.mapping !== undefined) {
        await watchMappingFile({
          path: resolvePath(settings.mapping),
          mapper,
          signal: context.signal,
          onLoad: (config) => {
            context.log.info(
              { mapping: config.source, roles: config.roles.length, users: config.users.length },
              'access mapping reloaded',
            );
          },
          onError: (error) => {
            context.log.warn(
              { error: error instanceof Error ? error.message : String(error) },
              'access mapping refused; the previous one stays in force',
            );
          },
        });
      }
      const verifierFor = (clusterId: string): TokenVerifier =>
        new TokenVerifier({
          clusterId,
          partition: settings.partition,
          ...(settings.region === undefined ? {} : { region: settings.region }),
          ...(options.transport === undefined ? {} : { transport: options.transport }),
          ...(options.now === undefined ? {} : { now: options.now }),
        });
      const audience = settings.dashboard.audience ?? `chartroom-dashboard-${settings.clusterId}`;
      if (audience === settings.clusterId) {
        // A dashboard sign-in token would then also be a kubectl token, and the other way round.
        throw new ConfigError(
          'access.dashboard.audience must differ from access.clusterId',
          'Leave it out to use chartroom-dashboard-<clusterId>.',
        );
      }
      rbac = kubeRbacClient({ client: () => context.kube() });
      const secure = context.publicUrl.startsWith('https:');
      const accessDashboard = new AccessDashboard({
        cluster: grantsCluster,
        audience,
        verifier: verifierFor(audience),
        requests,
        sessions: new DashboardSessions({
          store: context.store,
          ttlMs: parseDuration(settings.dashboard.sessionTtl) * 1000,
          ...(options.now === undefined ? {} : { now: options.now }),
        }),
        rbac,
        ...(settings.catalog === undefined ? {} : { catalogPath: resolvePath(settings.catalog) }),
        env: process.env,
        publicUrl: context.publicUrl,
        secure,
        layout: (body) =>
          dashboard.layout({
            title: 'Access',
            nav: [{ path: '/access', title: 'Access' }],
            current: '/access',
            body: dashboard.raw(body),
          }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      accessDashboard.register(app);
      page = accessDashboard.page();
      registerTokenReviewRoute(app, {
        path: settings.path,
        verifier: verifierFor(settings.clusterId),
        mapper,
        ...(settings.callerTokenFile === undefined
          ? {}
          : { callerToken: (await readFile(resolvePath(settings.callerTokenFile), 'utf8')).trim() }),
        onDecision: (decision) => {
          context.log.info(
            { tokenReview: decision },
            decision.authenticated ? 'token accepted' : 'token refused',
          );
        },
      });
    },
    async start(context: ServerContext) {
      if (grantsCluster === undefined || rbac === undefined) return () => Promise.resolve();
      const controller = new AbortController();
      const signal = AbortSignal.any([controller.signal, context.signal]);
      const loop = runExpiryLoop({
        requests: await AccessRequests.open({
          store: context.store,
          ...(options.now === undefined ? {} : { now: options.now }),
        }),
        cluster: grantsCluster,
        rbac,
        signal,
        onExpired: (request) => {
          context.log.info(
            { request: request.id, state: request.state, binding: request.bindingState },
            'access grant ended',
          );
        },
        onError: (error) => {
          context.log.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'access expiry failed; retrying',
          );
        },
      });
      return async () => {
        controller.abort();
        await loop;
      };
    },
  };
}
