/**
 * Removing a release (previews tear theirs down with it): under the same deploy lock, so a
 * teardown never races a deploy of the same release.
 */
import { ExitCode } from '../core/errors.js';
import { KubeClient } from '../kube/index.js';
import { deployError } from './errors.js';
import { uninstallArgs } from './helm/commands.js';
import { helmError, runHelm } from './helm/process.js';
import { releaseRevisions, helmDriver } from './helm/storage.js';
import { acquireDeployLock } from './lock/lease-lock.js';
import { deployer } from './identity.js';

export interface UninstallOptions {
  release: string;
  namespace: string;
  kubeconfig?: string;
  context?: string;
  timeoutMs?: number;
  lockTimeoutMs?: number;
  processEnv?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Uninstalls the release and waits for its objects to go; false when there was none. */
export async function uninstall(options: UninstallOptions): Promise<boolean> {
  const processEnv = options.processEnv ?? process.env;
  const kube = KubeClient.load({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const driver = helmDriver(processEnv);
  if (
    (await releaseRevisions(kube, { namespace: options.namespace, release: options.release, driver }))
      .length === 0
  )
    return false;
  const lock = await acquireDeployLock({
    kube,
    namespace: options.namespace,
    release: options.release,
    holder: { who: deployer(processEnv), app: options.release, env: 'uninstall' },
    waitMs: options.lockTimeoutMs ?? 600_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    const exit = await runHelm({
      args: uninstallArgs({
        namespace: options.namespace,
        kubeconfig: options.kubeconfig,
        context: options.context,
        release: options.release,
        timeoutMs: options.timeoutMs ?? 300_000,
      }),
      env: processEnv,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (exit.code !== 0 && !/not found/.test(helmError(exit))) {
      throw deployError('uninstall-failed', `helm uninstall ${options.release} failed: ${helmError(exit)}`, {
        exitCode: ExitCode.peer,
      });
    }
    return true;
  } finally {
    await lock.release();
  }
}
