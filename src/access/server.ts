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
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { ServerContext, ServerPlugin } from '../server/index.js';
import { IdentityMapper } from './mapping/mapper.js';
import { watchMappingFile } from './mapping/watch.js';
import { runExpiryLoop } from './requests/expiry.js';
import { kubeRbacClient } from './requests/kube-rbac.js';
import { accessMigrations } from './requests/migrations.js';
import { AccessRequests } from './requests/service.js';
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
  })
  .strict();

export function accessServerPlugin(): ServerPlugin {
  let grantsCluster: string | undefined;
  return {
    name: 'access',
    migrations: accessMigrations,
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
      const requests = await AccessRequests.open({ store: context.store });
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
      registerTokenReviewRoute(app, {
        path: settings.path,
        verifier: new TokenVerifier({
          clusterId: settings.clusterId,
          partition: settings.partition,
          ...(settings.region === undefined ? {} : { region: settings.region }),
        }),
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
      if (grantsCluster === undefined) return () => Promise.resolve();
      const controller = new AbortController();
      const signal = AbortSignal.any([controller.signal, context.signal]);
      const loop = runExpiryLoop({
        requests: await AccessRequests.open({ store: context.store }),
        cluster: grantsCluster,
        rbac: kubeRbacClient({ client: () => context.kube() }),
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
