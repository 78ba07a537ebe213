/**
 * `chartroom serve`: one HTTP server for every webhook, API and the dashboard. Capabilities plug in
 * through ServerPlugin (plugin.ts), listed in plugins.ts.
 */
export { buildServer, type ChartroomServer, type BuildOptions } from './app.js';
export {
  loadServerConfig,
  parseListen,
  serverConfigSchema,
  type ServerConfig,
  type LoadedServerConfig,
} from './config.js';
export type { ServerContext, ServerPlugin, DashboardPage } from './plugin.js';
export { loadServerPlugins } from './plugins.js';
export * as dashboard from './dashboard/index.js';
