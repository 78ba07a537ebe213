import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { KubeClient } from '../kube/index.js';
import type { Migration, Store } from '../store/index.js';
import type { LoadedServerConfig } from './config.js';

/** What every capability's server part gets: shared state, the cluster, metrics and a lifetime. */
export interface ServerContext {
  config: LoadedServerConfig;
  /** This capability's section of chartroom-server.yaml (undefined when absent). */
  section(name: string): unknown;
  store: Store;
  /** The cluster the server manages; throws a clear error when none is configured. */
  kube(): KubeClient;
  metrics: Registry;
  log: FastifyBaseLogger;
  /** Aborted when the server shuts down; controllers stop their loops on it. */
  signal: AbortSignal;
  publicUrl: string;
  /** The data folder (for files that are not rows: caches, generated keys). */
  dataDir: string;
}

export interface DashboardPage {
  /** Path under the dashboard, e.g. `/previews`. */
  path: string;
  title: string;
  /** Order in the navigation (lower first). */
  order?: number;
  /** Renders the page body (HTML, already escaped); the server wraps it in the layout. */
  render(request: {
    query: Record<string, string | undefined>;
    params: Record<string, string | undefined>;
    /** The request's headers (e.g. the cookie of a page that knows who is signed in). */
    headers: Readonly<Record<string, string | string[] | undefined>>;
  }): Promise<string>;
}

/**
 * A capability's part of the server: its migrations, routes (webhooks, APIs), dashboard pages and
 * background controllers. Listed in plugins.ts.
 */
export interface ServerPlugin {
  name: string;
  migrations?: readonly Migration[];
  register?(app: FastifyInstance, context: ServerContext): Promise<void> | void;
  dashboard?(context: ServerContext): readonly DashboardPage[];
  /** Starts background work; the returned function stops it (called on shutdown). */
  start?(context: ServerContext): Promise<() => Promise<void>>;
}
