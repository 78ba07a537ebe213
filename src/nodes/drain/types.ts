import type { KubeClient } from '../../kube/index.js';

export interface DrainOptions {
  client: KubeClient;
  node: string;
  /** When every pod must be gone (the instance's end minus a margin). None: wait as long as it takes. */
  deadline?: Date;
  /** Cordon first (default true); the agent cordons itself, with taints, before calling drain. */
  cordon?: boolean;
  /** Evict pods with emptyDir volumes, losing that data (kubectl --delete-emptydir-data). */
  deleteEmptyDirData?: boolean;
  /** Evict pods no controller will recreate (kubectl --force). */
  force?: boolean;
  /** Overrides every pod's terminationGracePeriodSeconds (kubectl --grace-period). */
  gracePeriodSeconds?: number;
  /** Only pods matching this label selector (kubectl --pod-selector). */
  podSelector?: string;
  /** Delete instead of evict: bypasses PodDisruptionBudgets (kubectl --disable-eviction). */
  disableEviction?: boolean;
  /** Pause between eviction attempts a budget refused (default 2s; kubectl waits 5s). */
  retryIntervalMs?: number;
  /** How often pods on the node are listed to see them go (default 500ms). */
  pollIntervalMs?: number;
  /** Pods deleted longer ago than this are not waited for (kubectl --skip-wait-for-delete-timeout). */
  skipWaitForDeleteTimeoutSeconds?: number;
  /** Classify and plan, evict nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** The live view: every step as it happens. */
  onEvent?: (event: DrainEvent) => void;
}

export interface PodRef {
  namespace: string;
  name: string;
}

/** A budget's state as the eviction API sees it, with the reason in words. */
export interface BudgetView {
  name: string;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  /** True when the budget can only allow a disruption if the workload grows (minAvailable = all). */
  neverAllows: boolean;
  why: string;
}

export type DrainEvent =
  | { type: 'cordoned'; node: string }
  | { type: 'planned'; evict: number; skipped: number; deadline?: string; secondsLeft?: number }
  | { type: 'skipped'; pod: PodRef; reason: string }
  | { type: 'warning'; message: string }
  | { type: 'evicting'; pod: PodRef; gracePeriodSeconds: number; shortenedFrom?: number }
  | { type: 'blocked'; pod: PodRef; budgets: BudgetView[]; message: string }
  | { type: 'error'; pod: PodRef; message: string; final: boolean }
  | { type: 'gone'; pod: PodRef; seconds: number }
  | { type: 'deadline'; left: number };

export type LeftState = 'blocked-by-pdb' | 'terminating' | 'failed' | 'not-attempted';

export interface PodLeft extends PodRef {
  state: LeftState;
  /** Why it is still there, in words a person on call can act on. */
  reason: string;
  budgets?: string[];
}

export interface PodEvicted extends PodRef {
  /** Seconds from the start of the drain until the pod was gone. */
  seconds: number;
  gracePeriodSeconds?: number;
  shortenedFrom?: number;
  /** It was already being deleted when the drain began: waited for, not evicted (as kubectl does). */
  alreadyTerminating?: true;
}

export interface DrainReport {
  node: string;
  /** drained: every pod gone; incomplete: the deadline came first; refused: kubectl's filters said no. */
  status: 'drained' | 'incomplete' | 'refused' | 'dry-run';
  startedAt: string;
  finishedAt: string;
  seconds: number;
  deadline?: string;
  /** Every pod that left the node during the drain: evicted by it, or already terminating. */
  evicted: PodEvicted[];
  skipped: (PodRef & { reason: string })[];
  left: PodLeft[];
  /** Pods kubectl's filters refuse without --force / --delete-emptydir-data. */
  refused: (PodRef & { reason: string })[];
  /** What a dry run would evict, in order, with the grace each would get. */
  plan?: (PodRef & { gracePeriodSeconds: number })[];
  warnings: string[];
}
