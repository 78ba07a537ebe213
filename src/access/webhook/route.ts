/**
 * The TokenReview webhook as a fastify plugin: `chartroom serve` mounts it, and
 * `chartroom access webhook` runs it alone. POST only; anything else is 405 (fastify's 404 for
 * unknown paths stays as it is).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { reviewToken, type TokenReviewOptions } from './token-review.js';

export interface TokenReviewRouteOptions extends TokenReviewOptions {
  /** Default `/authenticate`, aws-iam-authenticator's path. */
  path?: string;
  /**
   * If set, callers must send `Authorization: Bearer <token>` (the `token` of the user in the
   * API server's webhook kubeconfig). With TLS client certificates, the server checks those.
   */
  callerToken?: string;
}

export function registerTokenReviewRoute(app: FastifyInstance, options: TokenReviewRouteOptions): void {
  const path = options.path ?? '/authenticate';
  app.post(path, { bodyLimit: 64 * 1024 }, async (request, reply) => {
    if (options.callerToken !== undefined && !callerAuthorized(request, options.callerToken)) {
      return reply.code(401).send({ error: 'the webhook caller did not authenticate' });
    }
    const result = await reviewToken(request.body, options);
    return reply.code(result.statusCode).send(result.body);
  });
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: path,
    handler: async (_request, reply) => reply.code(405).header('allow', 'POST').send({ error: 'use POST' }),
  });
}

function callerAuthorized(request: FastifyRequest, expected: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
