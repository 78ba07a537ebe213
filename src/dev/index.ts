/**
 * The dev capability: run one service on your machine against a cluster environment, with the
 * Kubernetes API alone (no root, no VPN, nothing installed in the cluster):
 *
 * - the container's environment resolved exactly as the kubelet builds it (env, envFrom,
 *   ConfigMap and Secret references, the downward API, Service link variables);
 * - a 127.0.0.1 listener per dependency, each connection a port-forward to a ready pod (found
 *   again through EndpointSlices when pods restart), and the environment rewritten to use them;
 * - `--swap`: the workload's pods replaced by a relay that tunnels cluster traffic back over a
 *   port-forward the CLI holds, with the original spec saved on the workload and restored on
 *   exit, on signals, by `chartroom dev restore`, and by the server's sweeper when the CLI's
 *   Lease lapses.
 *
 * ```ts
 * import { runDev } from '../dev/index.js';
 * const { exitCode } = await runDev({ app: 'webapp', env: 'staging', cwd, command: ['npm', 'start'],
 *   swap: true, processEnv: process.env, signal, onEvent: (event) => log(event) });
 * ```
 */
export { runDev, type DevEvent, type DevRunOptions, type DevRunResult } from './run.js';
export { prepareDev, parseForwardFlag, type PrepareOptions, type Prepared } from './prepare.js';
export { envFormats, formatEnv, mask, type EnvFormat } from './env/format.js';
export type { EnvEntry, EnvOrigin } from './env/resolve.js';
export { restoreSwaps, swapStatus, liveOwner, type RestoreReport, type RestoreRequest } from './manage.js';
export type { RestoreOutcome } from './swap/restore.js';
export type { SwapEvent } from './swap/session.js';
export type { SwapListing } from './swap/inventory.js';
export { sweepOnce, type SweepResult } from './swap/sweep.js';
export { defaultRelayImage } from './swap/relay-spec.js';
export {
  devServerPlugin,
  createDevServerPlugin,
  parseDevSettings,
  type DevServerSettings,
} from './server.js';
