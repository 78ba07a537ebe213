/**
 * Preview URLs where there is no ingress controller (the local cluster of `chartroom up`): the
 * server answers for `*.<domain>` itself and forwards each request to the preview's Service
 * through the API server's service proxy, e.g. `http://devopsstage.preview.localhost:8080/`
 * (browsers resolve `*.localhost` to this machine). Off unless `previews.proxy: true`.
 *
 * On the embedded cluster, pods are simulated by kwok and run no containers: when every endpoint
 * of the Service is on a kwok node there is nothing that could answer, and the page says so —
 * with the preview's branch, commit and ready pods — instead of pretending.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dashboard } from '../server/index.js';
import { requestServiceProxy, type KubeClient, type V1Pod, type V1Service } from '../kube/index.js';
import type { PreviewRow } from './records.js';
import { dashboardUrl, type Runtime } from './runtime.js';

const { html, raw } = dashboard;
type Html = dashboard.Html;

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardHeaders(headers: IncomingHttpHeaders, host: string, proto: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['x-forwarded-host'] = host;
  out['x-forwarded-proto'] = proto;
  return out;
}

interface Target {
  service: string;
  /** Every endpoint pod runs on a kwok node (nothing can answer). */
  simulated: boolean;
  readyPods: string[];
}

async function findTarget(kube: KubeClient, row: PreviewRow): Promise<Target | undefined> {
  const services = await kube.list<V1Service>('v1', 'Service', {
    namespace: row.namespace,
    labelSelector: `app.kubernetes.io/instance=${row.release}`,
  });
  const service = services.find((candidate) => (candidate.spec?.ports?.length ?? 0) > 0);
  const port =
    service?.spec?.ports?.find((candidate) => candidate.name === 'http') ?? service?.spec?.ports?.[0];
  if (service?.metadata?.name === undefined || port === undefined) return undefined;
  const selector = Object.entries(service.spec?.selector ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods =
    selector === ''
      ? []
      : await kube.list<V1Pod>('v1', 'Pod', { namespace: row.namespace, labelSelector: selector });
  const ready = pods.filter((pod) =>
    pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const nodes = new Set(
    ready.map((pod) => pod.spec?.nodeName).filter((name): name is string => name !== undefined),
  );
  let simulated = ready.length > 0;
  for (const name of nodes) {
    const node = await kube.get<{ kind?: string; metadata?: { annotations?: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Node',
      name,
    });
    if (node?.metadata?.annotations?.['kwok.x-k8s.io/node'] !== 'fake') simulated = false;
  }
  return {
    service: `${service.metadata.name}:${port.name ?? String(port.port)}`,
    simulated,
    readyPods: ready.map((pod) => `${pod.metadata?.name ?? '?'} on ${pod.spec?.nodeName ?? '?'}`),
  };
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 46rem;
            margin: 3rem auto;
            padding: 0 1rem;
            color: #1d2733;
          }
          code {
            background: #f6f8fa;
            padding: 0 0.25rem;
          }
          .muted {
            color: #5b6876;
          }
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`.value;
}

export function registerPreviewProxy(app: FastifyInstance, runtime: Runtime): void {
  const suffix = `.${runtime.config.domain}`;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const hostHeader = (request.headers.host ?? '').toLowerCase();
    const host = hostHeader.replace(/:\d+$/, '');
    if (!host.endsWith(suffix)) return;
    const label = host.slice(0, -suffix.length);
    if (label === '' || label.includes('.')) return;
    const row = (await runtime.records.previews()).find((candidate) => candidate.host === host);
    const send = (status: number, title: string, body: Html, refresh = false): FastifyReply =>
      reply
        .status(status)
        .header('x-chartroom-preview', row?.namespace ?? 'none')
        .type('text/html; charset=utf-8')
        .send(
          refresh ? page(title, html`<meta http-equiv="refresh" content="5" />${body}`) : page(title, body),
        );
    if (row === undefined) {
      return send(
        404,
        'No preview here',
        html`<h1>No preview at ${host}</h1>
          <p>
            No branch has a preview with this address.
            <a href="${runtime.publicUrl}/previews">All previews</a>
          </p>`,
      );
    }
    const dashboard = dashboardUrl(runtime.publicUrl, row.namespace);
    const commit = (row.deployed_commit ?? row.desired_commit ?? '').slice(0, 7);
    if (row.status !== 'ready') {
      return send(
        503,
        `Preview ${row.branch}: ${row.status}`,
        html`<h1>Preview of <code>${row.branch}</code> is ${row.status}</h1>
          <p>
            Commit <code>${commit}</code>. This page reloads every 5 seconds.
            <a href="${dashboard}">Deploy log</a>
          </p>`,
        true,
      );
    }
    const target = await findTarget(runtime.kube, row);
    if (target === undefined) {
      return send(
        502,
        'No Service',
        html`<h1>The preview has no Service to forward to</h1>
          <p><a href="${dashboard}">Details</a></p>`,
      );
    }
    if (target.simulated) {
      return send(
        502,
        `Preview ${row.branch} (simulated)`,
        html`<h1>Preview of <code>${row.branch}</code> is deployed and ready</h1>
          <p>
            Commit <code>${commit}</code>, release <code>${row.release}</code> in namespace
            <code>${row.namespace}</code>. Service <code>${target.service}</code> has
            ${target.readyPods.length} ready pod(s):
          </p>
          <ul>
            ${target.readyPods.map((pod) => html`<li><code>${pod}</code></li>`)}
          </ul>
          <p class="muted">
            This is the embedded local cluster: its nodes are simulated by kwok, so the pods run no containers
            and no app can answer. On a real cluster (<code>chartroom up --kubeconfig</code>) this address
            forwards to the Service through the API server.
          </p>
          <p><a href="${dashboard}">Deploy log and history</a></p>`,
      );
    }
    const path = request.raw.url ?? '/';
    let upstream: IncomingMessage;
    try {
      upstream = await requestServiceProxy(runtime.kube, {
        namespace: row.namespace,
        service: target.service,
        path,
        method: request.method,
        headers: forwardHeaders(request.headers, hostHeader, 'http'),
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.raw }),
      });
    } catch (error) {
      return send(
        502,
        'Preview unreachable',
        html`<h1>The preview did not answer</h1>
          <p>${error instanceof Error ? error.message : String(error)}</p>
          <p>${raw('&larr;')} <a href="${dashboard}">Deploy log</a></p>`,
      );
    }
    reply.hijack();
    const headers = Object.fromEntries(
      Object.entries(upstream.headers).filter(([name]) => !hopByHop.has(name)),
    ) as IncomingHttpHeaders;
    reply.raw.writeHead(upstream.statusCode ?? 502, headers);
    upstream.pipe(reply.raw);
    return reply;
  });
}
