import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { ChartroomError } from '../core/errors.js';
import { freePort } from '../core/net.js';
import { KubeClient } from '../kube/index.js';
import { defaultDataDir, openStore, type Store } from '../store/index.js';
import type { LoadedServerConfig } from './config.js';
import { parseListen } from './config.js';
import { layout, raw, type NavItem } from './dashboard/index.js';
import { createMetrics } from './metrics.js';
import type { DashboardPage, ServerContext, ServerPlugin } from './plugin.js';
import { keepRawBodies } from './raw-body.js';
import { readCaBundle } from '../core/tls.js';

export interface BuildOptions {
  config: LoadedServerConfig;
  plugins: readonly ServerPlugin[];
  /** Where JSON logs go (stdout by default); tests pass a stream or `false`. */
  logStream?: NodeJS.WritableStream | false;
  env?: NodeJS.ProcessEnv;
}

export interface ChartroomServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Listens and starts every plugin's controllers. Returns the URL it listens on. */
  listen(): Promise<string>;
  /** Graceful stop: stop taking requests, finish in-flight ones, stop controllers, close the store. */
  close(): Promise<void>;
}

export async function buildServer(options: BuildOptions): Promise<ChartroomServer> {
  const { config } = options;
  const env = options.env ?? process.env;
  const dataDir =
    config.dataDir === undefined ? defaultDataDir(env) : resolve(config.baseDir, config.dataDir);
  const store: Store = await openStore({ url: config.database, dataDir, env });
  await store.migrate(options.plugins.flatMap((plugin) => plugin.migrations ?? []));

  const tls = config.tls;
  const app = Fastify({
    logger:
      options.logStream === false
        ? false
        : {
            level: config.log.level,
            ...(options.logStream === undefined ? {} : { stream: options.logStream }),
          },
    // Audit event batches and webhook payloads can be large; Falco's webhook accepts up to 10 MB.
    bodyLimit: 16 * 1024 * 1024,
    ...(tls === undefined
      ? {}
      : {
          https: {
            cert: readFileSync(resolve(config.baseDir, tls.cert)),
            key: readFileSync(resolve(config.baseDir, tls.key)),
            ...(tls.clientCa === undefined
              ? {}
              : {
                  ca: readCaBundle(resolve(config.baseDir, tls.clientCa)),
                  requestCert: true,
                  rejectUnauthorized: false,
                }),
          },
        }),
  });
  keepRawBodies(app);

  const metrics = createMetrics();
  const lifetime = new AbortController();
  const { host, port: asked } = parseListen(config.listen);
  // Port 0 ("any free port") is chosen now, not at listen: plugins build links from publicUrl
  // when they register, and a link to port 0 leads nowhere.
  const port = asked === 0 ? await freePort(host) : asked;
  let kube: KubeClient | undefined;
  const context: ServerContext = {
    config,
    section: (name) => config.sections[name],
    store,
    kube: () => {
      kube ??= KubeClient.load({
        kubeconfig: config.kubeconfig === undefined ? undefined : resolve(config.baseDir, config.kubeconfig),
        context: config.kubeContext,
      });
      return kube;
    },
    metrics: metrics.registry,
    log: app.log,
    signal: lifetime.signal,
    publicUrl:
      config.publicUrl ??
      `${tls === undefined ? 'http' : 'https'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    dataDir,
  };

  // Responses finished while shutting down close their connection, so keep-alive clients don't
  // hold the server open until their idle timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifetime.signal.aborted) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ChartroomError) {
      const status =
        error.exitCode === 4
          ? 404
          : error.exitCode === 2 || error.exitCode === 3
            ? 400
            : error.exitCode === 8
              ? 403
              : error.exitCode === 9
                ? 409
                : 500;
      void reply.status(status).send({ error: error.toJSON() });
      return;
    }
    const status = error instanceof Error ? ((error as { statusCode?: number }).statusCode ?? 500) : 500;
    const message = error instanceof Error ? error.message : 'error';
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({
      error: {
        code: status >= 500 ? 'internal' : 'bad-request',
        message: status >= 500 ? 'internal error' : message,
      },
    });
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await store.get('SELECT 1 AS ok');
      return { status: 'ok', store: store.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', store: store.kind });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  for (const plugin of options.plugins) await plugin.register?.(app, context);

  const pages: DashboardPage[] = options.plugins
    .flatMap((plugin) => [...(plugin.dashboard?.(context) ?? [])])
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  const nav: NavItem[] = pages.map((page) => ({ path: page.path, title: page.title }));
  for (const page of pages) {
    app.get(page.path, async (request, reply) => {
      const body = await page.render({
        query: request.query as Record<string, string | undefined>,
        params: request.params as Record<string, string | undefined>,
        headers: request.headers,
      });
      return reply
        .type('text/html; charset=utf-8')
        .send(layout({ title: page.title, nav, current: page.path, body: raw(body) }));
    });
  }
  if (!pages.some((page) => page.path === '/')) {
    app.get('/', async (_request, reply) => {
      const first = pages[0];
      if (first !== undefined) return reply.redirect(first.path);
      return reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Chartroom</title><p>Chartroom server is running.</p>');
    });
  }

  const stops: (() => Promise<void>)[] = [];
  return {
    app,
    context,
    async listen() {
      const address = await app.listen({ host, port });
      for (const plugin of options.plugins) {
        if (plugin.start !== undefined) stops.push(await plugin.start(context));
      }
      return address;
    },
    async close() {
      lifetime.abort(new Error('server shutting down'));
      await app.close();
      for (const stop of stops.reverse())
        await stop().catch((error: unknown) => {
          app.log.error({ err: error }, 'stopping a controller failed');
        });
      await store.close();
    },
  };
}
