import type { KubeClient, V1Node } from '../kube/index.js';
import { ChartroomError, ExitCode } from '../core/errors.js';
import { sleep } from './supervisor.js';

interface WaitOptions {
  seconds: number;
  /** Throws when a component died, so a wait never outlives the thing it waits for. */
  check?: () => void;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

export async function waitForNodesReady(
  kube: KubeClient,
  names: readonly string[],
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.seconds * 1000;
  let last = -1;
  for (;;) {
    options.check?.();
    const nodes = await kube.list<V1Node>('v1', 'Node').catch(() => []);
    const ready = nodes.filter((node) => names.includes(node.metadata?.name ?? '') && isReady(node)).length;
    if (ready !== last) options.onProgress?.(`nodes ready: ${ready}/${names.length}`);
    last = ready;
    if (ready === names.length) return;
    if (Date.now() > deadline) {
      throw new ChartroomError(`only ${ready} of ${names.length} nodes became Ready in ${options.seconds}s`, {
        code: 'cluster-nodes-not-ready',
        exitCode: ExitCode.timeout,
        hint: 'Look at the kwok log in the cluster folder (chartroom cluster status shows it).',
      });
    }
    await sleep(250, options.signal);
  }
}

/** Pods cannot be created in a namespace until the controller-manager has made its default ServiceAccount. */
export async function waitForServiceAccount(
  kube: KubeClient,
  namespace: string,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.seconds * 1000;
  for (;;) {
    options.check?.();
    const account = await kube
      .get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace })
      .catch(() => undefined);
    if (account !== undefined) return;
    if (Date.now() > deadline) {
      throw new ChartroomError(
        `the default ServiceAccount of ${namespace} did not appear in ${options.seconds}s`,
        {
          code: 'cluster-serviceaccount-missing',
          exitCode: ExitCode.timeout,
          hint: 'The controller-manager may be failing; look at its log in the cluster folder.',
        },
      );
    }
    await sleep(200, options.signal);
  }
}
