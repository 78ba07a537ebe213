/**
 * A standalone receiver for `chartroom runtime serve`: the intake routes on their own HTTP(S)
 * listener, for clusters where the full `chartroom serve` is not wanted. TLS takes a certificate
 * and key (or one PEM holding both, as Falco's `sslCertificate`), and optionally a CA whose client
 * certificates are accepted instead of a token.
 */
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AlertPipeline } from '../engine/pipeline.js';
import { runtimeRoutes, type IntakeAuth } from './http-routes.js';
import { readCaBundle } from '../../core/tls.js';

export interface ReceiverTls {
  cert: string;
  /** Defaults to the certificate file (a PEM with both, as Falco's sslCertificate). */
  key?: string;
  clientCa?: string;
}

export interface ReceiverOptions {
  host: string;
  port: number;
  pipeline: AlertPipeline;
  token?: string;
  tls?: ReceiverTls;
  allowUnauthenticated?: boolean;
  auditPath?: string;
  falcoPaths?: readonly string[];
  maxBatchSize?: number;
  maxEventSize?: number;
}

export interface Receiver {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const tls = options.tls;
  const https =
    tls === undefined
      ? undefined
      : {
          cert: await readFile(tls.cert),
          key: await readFile(tls.key ?? tls.cert),
          ...(tls.clientCa === undefined
            ? {}
            : // Verify client certificates but decide per request, so a token still works without one.
              { ca: readCaBundle(tls.clientCa), requestCert: true, rejectUnauthorized: false }),
        };
  const app = Fastify({ logger: false, ...(https === undefined ? {} : { https }) });
  const auth: IntakeAuth = {
    ...(options.token === undefined ? {} : { token: options.token }),
    clientCertificates: tls?.clientCa !== undefined,
    allowUnauthenticated: options.allowUnauthenticated === true,
  };
  await runtimeRoutes(app, {
    pipeline: options.pipeline,
    auth,
    ...(options.auditPath === undefined ? {} : { auditPath: options.auditPath }),
    ...(options.falcoPaths === undefined ? {} : { falcoPaths: options.falcoPaths }),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    ...(options.maxEventSize === undefined ? {} : { maxEventSize: options.maxEventSize }),
  });
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  const url = await app.listen({ host: options.host, port: options.port });
  return { app, url, close: () => app.close() };
}
