import type { KubeClient } from './client.js';
import { toKubeError } from './errors.js';

export interface PodLogOptions {
  namespace: string;
  pod: string;
  container: string;
  /** The logs of the previous (crashed) run of the container, as `kubectl logs --previous`. */
  previous?: boolean;
  tailLines?: number;
  /** Caps what the API server sends, so one noisy container cannot flood a report. */
  limitBytes?: number;
}

/**
 * The last lines a container wrote, through the API server's pods/log subresource (the node
 * serves them: the kubelet, or kwok's Logs rules on the local cluster). Throws KubeApiError when
 * the node has no logs for it.
 */
export async function readPodLog(client: KubeClient, options: PodLogOptions): Promise<string[]> {
  try {
    const text = await client.core.readNamespacedPodLog({
      name: options.pod,
      namespace: options.namespace,
      container: options.container,
      previous: options.previous ?? false,
      tailLines: options.tailLines ?? 20,
      limitBytes: options.limitBytes ?? 16_384,
    });
    return text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1);
  } catch (error) {
    throw toKubeError(
      error,
      `reading the ${options.previous === true ? 'previous ' : ''}log of ${options.namespace}/${options.pod} container ${options.container}`,
    );
  }
}
