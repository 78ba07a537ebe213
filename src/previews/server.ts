/**
 * Builds the previews part of one server: config, apps, runtime, controller, routes, proxy.
 * Loaded by the plugin (plugin.ts) only when the config has a previews section, so a server
 * without previews never loads the deploy capability.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DashboardPage, ServerContext } from '../server/index.js';
import { loadPreviewsConfig } from './config.js';
import { PreviewController } from './controller/controller.js';
import { previewPages } from './dashboard/pages.js';
import { chartroomDeployer, type PreviewDeployer } from './deployer.js';
import { PreviewIntents } from './intents.js';
import { PreviewMetrics } from './metrics.js';
import { registerPreviewProxy } from './proxy.js';
import { PreviewRecords } from './records.js';
import { registerPreviewRoutes } from './routes.js';
import { resolveApps, type Runtime } from './runtime.js';
import { AppSources } from './source.js';

export interface PreviewsServer {
  runtime: Runtime;
  controller: PreviewController;
  intents: PreviewIntents;
  pages(): DashboardPage[];
}

export async function buildPreviewsServer(
  app: FastifyInstance,
  context: ServerContext,
  section: unknown,
  options: { deployer?: PreviewDeployer },
): Promise<PreviewsServer> {
  const config = loadPreviewsConfig(section, { baseDir: context.config.baseDir });
  const log = {
    info: (details: object, message: string) => {
      context.log.info({ capability: 'previews', ...details }, message);
    },
    warn: (details: object, message: string) => {
      context.log.warn({ capability: 'previews', ...details }, message);
    },
    error: (details: object, message: string) => {
      context.log.error({ capability: 'previews', ...details }, message);
    },
  };
  const deployer = options.deployer ?? chartroomDeployer;
  const runtime: Runtime = {
    config,
    apps: await resolveApps({ config, deployer, env: process.env, log }),
    kube: context.kube(),
    kubeconfig:
      context.config.kubeconfig === undefined
        ? undefined
        : resolve(context.config.baseDir, context.config.kubeconfig),
    records: new PreviewRecords(context.store),
    store: context.store,
    deployer,
    sources: new AppSources(context.dataDir),
    publicUrl: context.publicUrl,
    log,
    metrics: new PreviewMetrics(context.metrics),
  };
  const controller = new PreviewController(runtime);
  const intents = new PreviewIntents(runtime, controller);
  if (config.proxy) registerPreviewProxy(app, runtime);
  registerPreviewRoutes(app, runtime, intents, controller);
  return {
    runtime,
    controller,
    intents,
    pages: () => previewPages(runtime, () => controller.stats()),
  };
}
