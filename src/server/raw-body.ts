import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received, for signature checks (HMAC over the raw bytes). */
    rawBody?: Buffer;
  }
}

/**
 * JSON and form bodies are parsed as usual, but the raw bytes are kept on `request.rawBody`:
 * GitHub's X-Hub-Signature-256 and similar signatures are computed over the bytes, and re-encoding
 * parsed JSON would not reproduce them.
 */
export function keepRawBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done) => {
      request.rawBody = body;
      const type = request.headers['content-type'] ?? '';
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      if (type.startsWith('application/json')) {
        try {
          done(null, JSON.parse(body.toString('utf8')));
        } catch {
          const error = Object.assign(new Error('request body is not valid JSON'), { statusCode: 400 });
          done(error, undefined);
        }
        return;
      }
      if (type.startsWith('application/x-www-form-urlencoded')) {
        done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
        return;
      }
      done(null, body.toString('utf8'));
    },
  );
}
