/**
 * What `chartroom previews list|delete` do, straight against the cluster: the namespaces are the
 * truth, so the CLI reads them, and a deletion is a teardown annotation that the server's
 * controller acts on (the same path as a branch-delete webhook).
 */
import { NotFoundError } from '../core/errors.js';
import { KubeClient } from '../kube/index.js';
import { annotate, listPreviews } from './controller/namespaces.js';
import { expiresAt, phaseOf, previewAnnotations, type PreviewState } from './state.js';

export interface PreviewListing extends PreviewState {
  phase: string;
  expiresAt: string | undefined;
}

export async function listClusterPreviews(options: {
  kubeconfig?: string;
  context?: string;
  app?: string;
  /** The server's TTL, to show expiry (default 7 days). */
  ttlMs?: number;
}): Promise<PreviewListing[]> {
  const kube = KubeClient.load({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const states = await listPreviews(kube, options.app);
  return states
    .map((state) => ({
      ...state,
      phase: phaseOf(state, false),
      expiresAt: expiresAt(state, options.ttlMs ?? 7 * 86_400_000)?.toISOString(),
    }))
    .sort((a, b) => (b.lastPushAt ?? '').localeCompare(a.lastPushAt ?? ''));
}

/** Marks a branch's preview for teardown; the controller removes it. */
export async function requestPreviewDeletion(options: {
  kubeconfig?: string;
  context?: string;
  branch: string;
  app?: string;
}): Promise<PreviewState> {
  const kube = KubeClient.load({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  const matches = (await listPreviews(kube, options.app)).filter((state) => state.branch === options.branch);
  const [state] = matches;
  if (state === undefined)
    throw new NotFoundError(
      `no preview of branch ${options.branch}${options.app === undefined ? '' : ` of ${options.app}`}`,
      'List them with chartroom previews list.',
    );
  if (matches.length > 1)
    throw new NotFoundError(
      `branch ${options.branch} has previews of ${matches.map((match) => match.app).join(' and ')}`,
      'Say which with --app.',
    );
  await annotate(kube, state.namespace, {
    [previewAnnotations.teardown]: 'manual',
    [previewAnnotations.teardownAt]: new Date().toISOString(),
  });
  return state;
}
