/**
 * The HTTP side of previews: one webhook endpoint per git host, and a small read-only JSON API
 * (what the dashboard shows, for scripts).
 *
 *   POST /previews/webhooks/github       X-Hub-Signature-256
 *   POST /previews/webhooks/gitlab       X-Gitlab-Token
 *   POST /previews/webhooks/bitbucket    X-Hub-Signature
 *   POST /previews/webhooks/post-receive X-Chartroom-Signature-256 (the hook of `chartroom up`)
 *   GET  /api/previews, /api/previews/:namespace, /api/previews/:namespace/runs/:id
 *
 * A delivery is verified first (401 and nothing else happens when it fails), then deduplicated
 * by its delivery id, then turned into wishes on namespaces; the answer (202) lists what each
 * branch's preview will do. A failure to write the wish answers 503 and forgets the delivery id,
 * so the host's redelivery is processed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PreviewController } from './controller/controller.js';
import type { IntentResult, PreviewIntents } from './intents.js';
import { appForRepo, dashboardUrl, type Runtime } from './runtime.js';
import { parseBitbucket } from './webhooks/bitbucket.js';
import { parseGitHub } from './webhooks/github.js';
import { parseGitLab } from './webhooks/gitlab.js';
import { parsePostReceive } from './webhooks/post-receive.js';
import { WebhookRejected, type Headers, type ParsedDelivery, type WebhookSource } from './webhooks/types.js';

type Parser = (headers: Headers, body: Buffer, secret: Uint8Array) => ParsedDelivery;

const endpoints: {
  source: WebhookSource;
  key: 'github' | 'gitlab' | 'bitbucket' | 'postReceive';
  parse: Parser;
}[] = [
  { source: 'github', key: 'github', parse: parseGitHub },
  { source: 'gitlab', key: 'gitlab', parse: parseGitLab },
  { source: 'bitbucket', key: 'bitbucket', parse: parseBitbucket },
  { source: 'post-receive', key: 'postReceive', parse: parsePostReceive },
];

export function registerPreviewRoutes(
  app: FastifyInstance,
  runtime: Runtime,
  intents: PreviewIntents,
  controller: PreviewController,
): void {
  for (const endpoint of endpoints) {
    app.post(`/previews/webhooks/${endpoint.source}`, async (request, reply) => {
      const secret = runtime.config.webhooks[endpoint.key];
      if (secret === undefined) {
        return reply
          .status(404)
          .send({ error: `${endpoint.source} webhooks are not configured on this server` });
      }
      return handleDelivery(request, reply, {
        runtime,
        intents,
        source: endpoint.source,
        parse: endpoint.parse,
        secret,
      });
    });
  }

  app.get('/api/previews', async () => {
    const rows = await runtime.records.previews({ includeRemoved: true });
    return {
      previews: rows.map((row) => ({ ...row, dashboard: dashboardUrl(runtime.publicUrl, row.namespace) })),
      queue: controller.stats(),
    };
  });
  app.get('/api/previews/:namespace', async (request, reply) => {
    const { namespace } = request.params as { namespace: string };
    const row = await runtime.records.preview(namespace);
    if (row === undefined) return reply.status(404).send({ error: `no preview ${namespace}` });
    const runs = await runtime.records.runs(namespace, 50);
    return { preview: row, runs: runs.map(({ log: _log, ...run }) => run) };
  });
  app.get('/api/previews/:namespace/runs/:id', async (request, reply) => {
    const { namespace, id } = request.params as { namespace: string; id: string };
    const run = await runtime.records.run(id);
    if (run?.namespace !== namespace)
      return reply.status(404).send({ error: `no run ${id} of ${namespace}` });
    return run;
  });
}

async function handleDelivery(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    runtime: Runtime;
    intents: PreviewIntents;
    source: WebhookSource;
    parse: Parser;
    secret: Uint8Array;
  },
): Promise<FastifyReply> {
  const { runtime, intents, source } = options;
  const raw = request.rawBody ?? Buffer.alloc(0);
  let delivery: ParsedDelivery;
  try {
    delivery = options.parse(request.headers, raw, options.secret);
  } catch (error) {
    if (error instanceof WebhookRejected) {
      runtime.metrics.webhooks.inc({ source, outcome: 'rejected' });
      request.log.warn({ source, status: error.status, reason: error.message }, 'webhook rejected');
      return reply.status(error.status).send({ error: error.message });
    }
    throw error;
  }
  if (
    delivery.deliveryId !== undefined &&
    !(await runtime.records.firstDelivery(source, delivery.deliveryId))
  ) {
    runtime.metrics.webhooks.inc({ source, outcome: 'duplicate' });
    return reply.status(200).send({ status: 'duplicate', delivery: delivery.deliveryId, previews: [] });
  }
  if (delivery.ignored !== undefined) {
    runtime.metrics.webhooks.inc({ source, outcome: 'ignored' });
    return reply.status(200).send({ status: 'ignored', reason: delivery.ignored, previews: [] });
  }
  const results: IntentResult[] = [];
  try {
    for (const change of delivery.changes) {
      const apps = appForRepo(runtime.apps, change.repo);
      if (apps.length === 0) {
        results.push({
          app: '',
          branch: change.branch,
          action: 'ignored',
          reason: `no app is registered for ${change.repo}`,
        });
        continue;
      }
      for (const app of apps) {
        results.push(
          change.kind === 'push'
            ? await options.intents.push(app, change)
            : await intents.delete(app, change),
        );
      }
    }
  } catch (error) {
    if (delivery.deliveryId !== undefined) await runtime.records.forgetDelivery(source, delivery.deliveryId);
    runtime.metrics.webhooks.inc({ source, outcome: 'error' });
    request.log.error(
      { err: error, source, delivery: delivery.deliveryId },
      'webhook could not be processed',
    );
    return reply.status(503).send({
      error: `could not record the change: ${error instanceof Error ? error.message : String(error)}`,
      hint: 'The delivery was not recorded; redeliver it once the cluster is reachable.',
    });
  }
  runtime.metrics.webhooks.inc({ source, outcome: 'accepted' });
  request.log.info(
    {
      source,
      delivery: delivery.deliveryId,
      previews: results.map((result) => `${result.branch}: ${result.action}`),
    },
    'webhook accepted',
  );
  return reply.status(202).send({
    status: 'accepted',
    delivery: delivery.deliveryId,
    previews: results.map((result) => ({
      ...result,
      ...(result.namespace === undefined
        ? {}
        : { dashboard: dashboardUrl(runtime.publicUrl, result.namespace) }),
    })),
  });
}
