/**
 * Previews as a part of `chartroom serve`: migrations, webhook and API routes, the host-routing
 * proxy (when enabled), the Previews dashboard page, and the controller (started with the
 * server, stopped before the store closes). Configured by the `previews:` section of
 * chartroom-server.yaml; without it the page says how to turn previews on, and nothing heavy is
 * loaded.
 */
import type { DashboardPage, ServerContext, ServerPlugin } from '../server/index.js';
import { dashboard } from '../server/index.js';
import type { PreviewDeployer } from './deployer.js';
import { previewsMigrations } from './records.js';
import type { PreviewsServer } from './server.js';

const servers = new WeakMap<ServerContext, PreviewsServer>();

/** The previews part of a running server (for tests, benchmarks and `chartroom up`). */
export function previewsOf(context: ServerContext): PreviewsServer | undefined {
  return servers.get(context);
}

const notConfigured: DashboardPage = {
  path: '/previews',
  title: 'Previews',
  order: 10,
  render: () =>
    Promise.resolve(
      dashboard.html`<h1>Previews</h1>
        <p class="empty">
          Previews are not configured on this server. Add a <code>previews:</code> section to
          chartroom-server.yaml (see docs/previews.md), or try them locally with <code>chartroom up</code>.
        </p>`.value,
    ),
};

export function createPreviewsPlugin(options: { deployer?: PreviewDeployer } = {}): ServerPlugin {
  return {
    name: 'previews',
    migrations: previewsMigrations,

    async register(app, context) {
      const section = context.section('previews');
      if (section === undefined) return;
      const { buildPreviewsServer } = await import('./server.js');
      servers.set(context, await buildPreviewsServer(app, context, section, options));
    },

    dashboard(context) {
      return servers.get(context)?.pages() ?? [notConfigured];
    },

    async start(context) {
      const server = servers.get(context);
      if (server === undefined) return () => Promise.resolve();
      await server.controller.start();
      return () => server.controller.stop();
    },
  };
}

export const previewsPlugin: ServerPlugin = createPreviewsPlugin();
