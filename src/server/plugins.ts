import type { ServerPlugin } from './plugin.js';

/**
 * The capabilities mounted into `chartroom serve`. Add one line per capability; its plugin lives
 * in src/<capability>/server.ts (or similar) and is exported through the capability's index.ts.
 */
export async function loadServerPlugins(): Promise<ServerPlugin[]> {
  return Promise.all([
    import('../runtime/index.js').then((m) => m.runtimeServerPlugin()),
    import('../previews/index.js').then((m) => m.previewsPlugin),
    import('../access/index.js').then((m) => m.accessServerPlugin()),
    import('../dev/index.js').then((m) => m.devServerPlugin),
  ]);
}
