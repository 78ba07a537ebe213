/**
 * The HTTP intake, as a fastify plugin that `chartroom serve` mounts and `chartroom runtime serve`
 * runs alone:
 * - the kube-apiserver audit webhook (`POST /k8s-audit` by default), with the k8saudit plugin's
 *   rules: JSON content type required, 12 MiB per request, 256 KiB per event;
 * - a falcosidekick-compatible `POST /` for the JSON alerts of Falco agents (`http_output`), plus
 *   sidekick's `/ping` and `/test`.
 * Every request is authenticated: a bearer token (what an apiserver webhook kubeconfig or a Falco
 * `http_output` header sends) and/or a verified TLS client certificate.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertPipeline } from '../engine/pipeline.js';
import { formatIsoTime } from '../fields/generic.js';
import { AuditPayloadError, defaultMaxBatchSize, defaultMaxEventSize, notAuditData } from './audit-events.js';
import { FalcoAlertError, invalidAlertBody, parseFalcoAlert } from './falco-alerts.js';

export interface IntakeAuth {
  /** Accept `Authorization: Bearer <token>`. */
  token?: string;
  /** Accept clients that present a certificate the TLS server verified against its client CA. */
  clientCertificates?: boolean;
  /** Accept anyone (only meant for a loopback listener while trying things out). */
  allowUnauthenticated?: boolean;
}

export interface RuntimeRoutesOptions {
  pipeline: AlertPipeline;
  auth: IntakeAuth;
  /** Where the apiserver posts audit events; default `/k8s-audit`. */
  auditPath?: string;
  /** Where Falco agents post alerts; default `/` (like falcosidekick) and `/falco`. */
  falcoPaths?: readonly string[];
  maxBatchSize?: number;
  maxEventSize?: number;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Why a request is not authenticated, or undefined when it is. */
export function authenticationProblem(request: FastifyRequest, auth: IntakeAuth): string | undefined {
  if (auth.allowUnauthenticated === true) return undefined;
  if (auth.clientCertificates === true) {
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (socket.authorized === true) return undefined;
  }
  if (auth.token !== undefined) {
    const header = request.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    // Compare digests so that the comparison takes the same time whatever the token's length.
    if (presented !== undefined && timingSafeEqual(digest(presented), digest(auth.token))) return undefined;
  }
  if (auth.token === undefined && auth.clientCertificates !== true)
    return 'this endpoint has no authentication configured';
  return auth.token !== undefined
    ? 'missing or wrong bearer token'
    : 'a verified client certificate is required';
}

async function guard(request: FastifyRequest, reply: FastifyReply, auth: IntakeAuth): Promise<boolean> {
  const problem = authenticationProblem(request, auth);
  if (problem === undefined) return true;
  await reply
    .status(401)
    .header('www-authenticate', 'Bearer')
    .type('text/plain')
    .send(`unauthorized: ${problem}\n`);
  return false;
}

export async function runtimeRoutes(app: FastifyInstance, options: RuntimeRoutesOptions): Promise<void> {
  const auditPath = options.auditPath ?? '/k8s-audit';
  const falcoPaths = options.falcoPaths ?? ['/', '/falco'];
  const maxBatchSize = options.maxBatchSize ?? defaultMaxBatchSize;
  const maxEventSize = options.maxEventSize ?? defaultMaxEventSize;
  const { pipeline, auth } = options;

  // An encapsulated scope, so our raw-text body parser does not change the host server's parsers.
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: maxBatchSize },
      (_request, body, done) => {
        done(null, body);
      },
    );

    scope.post(auditPath, { bodyLimit: maxBatchSize }, async (request, reply) => {
      if (!(await guard(request, reply, auth))) return reply;
      if (!(request.headers['content-type'] ?? '').includes('application/json')) {
        return reply.status(400).type('text/plain').send('wrong Content Type\n');
      }
      const body = typeof request.body === 'string' ? request.body : '';
      try {
        const result = pipeline.ingestAuditPayload(body, `audit webhook from ${request.ip}`, maxEventSize);
        return await reply.send({ events: result.events, alerts: result.alerts, errors: result.errors });
      } catch (error) {
        if (!(error instanceof AuditPayloadError)) throw error;
        const message = error.message === notAuditData ? notAuditData : error.message;
        return reply.status(400).type('text/plain').send(`bad request: ${message}\n`);
      }
    });
    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: auditPath,
      handler: async (request, reply) =>
        reply.status(405).type('text/plain').send(`${request.method} method not allowed\n`),
    });

    for (const path of falcoPaths) {
      scope.post(path, { bodyLimit: 1024 * 1024 }, async (request, reply) => {
        if (!(await guard(request, reply, auth))) return reply;
        try {
          pipeline.emit(parseFalcoAlert(typeof request.body === 'string' ? request.body : ''));
          return await reply.status(200).send();
        } catch (error) {
          if (!(error instanceof FalcoAlertError)) throw error;
          request.log.info({ reason: error.message }, 'Falco alert refused');
          return reply.status(400).type('text/plain').send(`${invalidAlertBody}\n`);
        }
      });
    }

    scope.get('/ping', async (_request, reply) => reply.type('text/plain').send('pong\n'));

    scope.route({
      method: ['GET', 'POST'],
      url: '/test',
      handler: async (request, reply) => {
        if (!(await guard(request, reply, auth))) return reply;
        const time = BigInt(Date.now()) * 1_000_000n;
        pipeline.emit({
          time,
          rule: 'Test rule',
          priority: 'Debug',
          source: 'internal',
          hostname: 'chartroom',
          tags: ['example', 'test'],
          output: `${formatIsoTime(time, 'Z')}: Debug This is a test from chartroom`,
          message: 'This is a test from chartroom',
          outputFields: { 'proc.name': 'chartroom', 'user.name': 'chartroom' },
          origin: 'falco',
        });
        return reply.status(200).send();
      },
    });
  });
}
