/**
 * The truth about previews lives on their namespaces, not in the server: labels select them,
 * annotations say which branch they are for, which commit should be deployed (desired), which
 * one is (deployed), and whether they should go (teardown). The controller compares desired with
 * deployed, so a server killed mid-deploy finds the unfinished work on the namespace after a
 * restart, and `chartroom previews delete` only writes an annotation.
 */
import type { V1Namespace } from '../kube/index.js';

const prefix = 'chartroom.dev/preview';

export const previewLabels = {
  /** `true` on every preview namespace: the selector of the controller and the sweep. */
  preview: prefix,
  app: `${prefix}-app`,
  label: `${prefix}-label`,
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const previewAnnotations = {
  branch: `${prefix}-branch`,
  repo: `${prefix}-repo`,
  host: `${prefix}-host`,
  url: `${prefix}-url`,
  release: `${prefix}-release`,
  desiredCommit: `${prefix}-desired-commit`,
  /** The push time of the desired commit, to order deliveries that arrive out of order. */
  desiredPushedAt: `${prefix}-desired-pushed-at`,
  /** When the server received the push of the desired commit (for timings). */
  desiredReceivedAt: `${prefix}-desired-received-at`,
  deployedCommit: `${prefix}-deployed-commit`,
  /** A commit whose deploy failed: not retried until a new push (or a redeploy). */
  failedCommit: `${prefix}-failed-commit`,
  lastPushAt: `${prefix}-last-push-at`,
  pushedBy: `${prefix}-pushed-by`,
  /** Set when the preview should go: `branch-deleted`, `ttl`, `sweep`, `manual`. */
  teardown: `${prefix}-teardown`,
  teardownAt: `${prefix}-teardown-at`,
  /** `true`: the inactivity TTL does not apply. */
  keep: `${prefix}-keep`,
} as const;

export const previewSelector = `${previewLabels.preview}=true`;

export type TeardownReason = 'branch-deleted' | 'ttl' | 'sweep' | 'manual';

export interface PreviewState {
  namespace: string;
  app: string;
  label: string;
  branch: string;
  repo: string;
  host: string;
  url: string;
  release: string;
  desiredCommit: string | undefined;
  desiredPushedAt: string | undefined;
  desiredReceivedAt: string | undefined;
  deployedCommit: string | undefined;
  failedCommit: string | undefined;
  lastPushAt: string | undefined;
  pushedBy: string | undefined;
  teardown: TeardownReason | undefined;
  teardownAt: string | undefined;
  keep: boolean;
  createdAt: string | undefined;
  /** The namespace is being deleted by the API server. */
  terminating: boolean;
  resourceVersion: string | undefined;
}

/** The preview a namespace holds, or undefined when it is not a (complete) preview namespace. */
export function previewState(namespace: V1Namespace): PreviewState | undefined {
  const labels = namespace.metadata?.labels ?? {};
  const notes = namespace.metadata?.annotations ?? {};
  const name = namespace.metadata?.name;
  const app = labels[previewLabels.app];
  const branch = notes[previewAnnotations.branch];
  if (
    labels[previewLabels.preview] !== 'true' ||
    name === undefined ||
    app === undefined ||
    branch === undefined
  )
    return undefined;
  const created = namespace.metadata?.creationTimestamp as Date | string | undefined;
  return {
    namespace: name,
    app,
    label: labels[previewLabels.label] ?? name,
    branch,
    repo: notes[previewAnnotations.repo] ?? '',
    host: notes[previewAnnotations.host] ?? '',
    url: notes[previewAnnotations.url] ?? '',
    release: notes[previewAnnotations.release] ?? app,
    desiredCommit: notes[previewAnnotations.desiredCommit],
    desiredPushedAt: notes[previewAnnotations.desiredPushedAt],
    desiredReceivedAt: notes[previewAnnotations.desiredReceivedAt],
    deployedCommit: notes[previewAnnotations.deployedCommit],
    failedCommit: notes[previewAnnotations.failedCommit],
    lastPushAt: notes[previewAnnotations.lastPushAt],
    pushedBy: notes[previewAnnotations.pushedBy],
    teardown: notes[previewAnnotations.teardown] as TeardownReason | undefined,
    teardownAt: notes[previewAnnotations.teardownAt],
    keep: notes[previewAnnotations.keep] === 'true',
    createdAt: created === undefined ? undefined : new Date(created).toISOString(),
    terminating: namespace.metadata?.deletionTimestamp !== undefined,
    resourceVersion: namespace.metadata?.resourceVersion,
  };
}

/** What the preview is doing, as the dashboard and the CLI say it. */
export function phaseOf(state: PreviewState, deploying: boolean): string {
  if (state.terminating || state.teardown !== undefined) return 'tearing-down';
  if (deploying) return 'deploying';
  if (state.desiredCommit !== undefined && state.desiredCommit === state.deployedCommit) return 'ready';
  if (state.desiredCommit !== undefined && state.desiredCommit === state.failedCommit) return 'failed';
  return 'queued';
}

/** When the inactivity TTL ends (undefined: never). */
export function expiresAt(state: PreviewState, ttlMs: number): Date | undefined {
  if (ttlMs <= 0 || state.keep) return undefined;
  const last = Date.parse(state.lastPushAt ?? state.createdAt ?? '');
  return Number.isNaN(last) ? undefined : new Date(last + ttlMs);
}
