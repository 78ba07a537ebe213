/**
 * `chartroom access webhook`: the TokenReview webhook on its own, over TLS (kube-apiserver only
 * talks to webhooks over https), with /healthz, the mapping file watched for edits and, given a
 * store, Chartroom's grants in the mapping and their expiry swept on time.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { IdentityMapper, type GrantLookup } from '../mapping/mapper.js';
import type { MappingConfig } from '../mapping/types.js';
import { watchMappingFile } from '../mapping/watch.js';
import { TokenVerifier } from '../verify/verifier.js';
import type { StsTransport } from '../verify/sts-transport.js';
import { registerTokenReviewRoute } from './route.js';
import type { TokenReviewDecision } from './token-review.js';

export interface WebhookServerOptions {
  clusterId: string;
  partition?: string;
  region?: string;
  /** aws-auth ConfigMap or plain mapRoles/mapUsers/mapAccounts file; watched for changes. */
  mappingFile?: string;
  grants?: GrantLookup;
  tls: { cert: string | Buffer; key: string | Buffer; clientCa?: string | Buffer };
  callerToken?: string;
  host?: string;
  port?: number;
  signal: AbortSignal;
  /** Tests inject the STS stand-in here; there is no flag or setting for it. */
  transport?: StsTransport;
  now?: () => Date;
  onDecision?: (decision: TokenReviewDecision) => void;
  onMappingLoaded?: (config: MappingConfig) => void;
  onMappingError?: (error: unknown) => void;
  /** How often the mapping file is checked for edits (default 1 s). */
  mappingPollMs?: number;
}

export interface RunningWebhook {
  url: string;
  app: FastifyInstance;
  mapper: IdentityMapper;
  close(): Promise<void>;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningWebhook> {
  const verifier = new TokenVerifier({
    clusterId: options.clusterId,
    ...(options.partition === undefined ? {} : { partition: options.partition }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const mapper = new IdentityMapper({
    ...(options.grants === undefined ? {} : { grants: options.grants }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (options.mappingFile !== undefined) {
    const loaded = await watchMappingFile({
      path: options.mappingFile,
      mapper,
      signal: options.signal,
      ...(options.mappingPollMs === undefined ? {} : { intervalMs: options.mappingPollMs }),
      ...(options.onMappingLoaded === undefined ? {} : { onLoad: options.onMappingLoaded }),
      ...(options.onMappingError === undefined ? {} : { onError: options.onMappingError }),
    });
    options.onMappingLoaded?.(loaded);
  }
  const app = Fastify({
    https: {
      cert: options.tls.cert,
      key: options.tls.key,
      minVersion: 'TLSv1.2',
      ...(options.tls.clientCa === undefined
        ? {}
        : { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true }),
    },
    logger: false,
  });
  app.get('/healthz', () => ({ ok: true }));
  registerTokenReviewRoute(app, {
    verifier,
    mapper,
    ...(options.callerToken === undefined ? {} : { callerToken: options.callerToken }),
    ...(options.onDecision === undefined ? {} : { onDecision: options.onDecision }),
  });
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 21362 });
  const close = async (): Promise<void> => {
    await app.close();
  };
  options.signal.addEventListener('abort', () => {
    void close();
  });
  return { url: `${address.replace('http://', 'https://')}/authenticate`, app, mapper, close };
}
