import { setTimeout as sleep } from 'node:timers/promises';
import {
  KubeApiError,
  cordonNode,
  podsOnNode,
  type V1DaemonSet,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
} from '../../kube/index.js';
import { nodeNotFound } from '../errors.js';
import { filterPods, refOf } from './filters.js';
import { budgetsFor, viewBudget } from './pdb.js';
import { criticalReleased, evictionOrder, fitGrace, isCritical, ownGrace } from './schedule.js';
import type { BudgetView, DrainOptions, DrainReport, PodLeft, PodRef } from './types.js';

/** How many eviction calls may be in flight at once (the API server's fairness does the rest). */
const parallelEvictions = 16;

interface Tracked {
  pod: V1Pod;
  ref: PodRef;
  uid: string | undefined;
  own: number;
  critical: boolean;
  state: 'pending' | 'blocked' | 'evicted' | 'gone' | 'failed';
  nextAttemptAt: number;
  /** Already terminating when the drain began. */
  wasTerminating: boolean;
  evictedAt?: number;
  gracePeriodSeconds?: number;
  shortenedFrom?: number;
  budgets?: BudgetView[];
  lastBlocked?: string;
  error?: string;
  goneAt?: number;
}

const key = (ref: PodRef): string => `${ref.namespace}/${ref.name}`;

/**
 * Drains a node the way `kubectl drain` does (cordon, the same filters, the Eviction API with
 * retries while a PodDisruptionBudget says no, waiting until the pods are gone) and adds what a
 * node with a termination notice needs: a deadline that grace periods are cut to fit, critical
 * pods last, a live view of which budget blocks which pod and why, and a report of what was left.
 */
export async function drainNode(options: DrainOptions): Promise<DrainReport> {
  const { client, node, deadline, signal } = options;
  const emit = options.onEvent ?? ((): void => undefined);
  const started = Date.now();
  const retryMs = options.retryIntervalMs ?? 2_000;
  const pollMs = options.pollIntervalMs ?? 500;

  const nodeObject = await client.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name: node });
  if (nodeObject === undefined) throw nodeNotFound(node);
  if (options.cordon !== false && options.dryRun !== true && nodeObject.spec?.unschedulable !== true) {
    await cordonNode(client, node);
    emit({ type: 'cordoned', node });
  }

  const daemonSets = new Map<string, Promise<boolean>>();
  const filtered = await filterPods(await podsOnNode(client, node, { labelSelector: options.podSelector }), {
    deleteEmptyDirData: options.deleteEmptyDirData ?? false,
    force: options.force ?? false,
    skipWaitForDeleteTimeoutSeconds: options.skipWaitForDeleteTimeoutSeconds ?? 0,
    now: started,
    daemonSetExists: (namespace, name) => {
      const id = `${namespace}/${name}`;
      let found = daemonSets.get(id);
      if (found === undefined) {
        found = client
          .get<V1DaemonSet>({ apiVersion: 'apps/v1', kind: 'DaemonSet', name, namespace })
          .then((ds) => ds !== undefined);
        daemonSets.set(id, found);
      }
      return found;
    },
  });
  const report: DrainReport = {
    node,
    status: 'drained',
    startedAt: new Date(started).toISOString(),
    finishedAt: '',
    seconds: 0,
    ...(deadline === undefined ? {} : { deadline: deadline.toISOString() }),
    evicted: [],
    skipped: filtered.skipped,
    left: [],
    refused: filtered.refused,
    warnings: [],
  };
  const finish = (status: DrainReport['status']): DrainReport => {
    const now = Date.now();
    report.status = status;
    report.finishedAt = new Date(now).toISOString();
    report.seconds = (now - started) / 1000;
    return report;
  };
  for (const skipped of filtered.skipped) emit({ type: 'skipped', pod: skipped, reason: skipped.reason });
  if (filtered.refused.length > 0) return finish('refused');
  for (const warning of filtered.warnings) {
    report.warnings.push(warning);
    emit({ type: 'warning', message: warning });
  }

  const ordered = evictionOrder(filtered.evict, options.gracePeriodSeconds);
  if (options.dryRun === true) {
    report.plan = ordered.map((pod) => ({
      ...refOf(pod),
      gracePeriodSeconds:
        fitGrace(ownGrace(pod, options.gracePeriodSeconds), started, deadline)?.gracePeriodSeconds ?? 0,
    }));
    return finish('dry-run');
  }

  const tracked: Tracked[] = [
    ...ordered.map((pod) => track(pod, options.gracePeriodSeconds, false)),
    ...filtered.terminating.map((pod) => track(pod, options.gracePeriodSeconds, true)),
  ];
  const criticalGrace = Math.max(0, ...tracked.filter((t) => t.critical).map((t) => t.own));
  emit({
    type: 'planned',
    evict: ordered.length,
    skipped: filtered.skipped.length,
    ...(deadline === undefined
      ? {}
      : { deadline: deadline.toISOString(), secondsLeft: Math.round((deadline.getTime() - started) / 1000) }),
  });

  let budgetCache = new Map<string, Promise<V1PodDisruptionBudget[]>>();
  const budgetsIn = (namespace: string): Promise<V1PodDisruptionBudget[]> => {
    let found = budgetCache.get(namespace);
    if (found === undefined) {
      found = client.list<V1PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget', { namespace });
      budgetCache.set(namespace, found);
    }
    return found;
  };

  const attempt = async (t: Tracked): Promise<void> => {
    const now = Date.now();
    const fit = fitGrace(t.own, now, deadline);
    if (fit === undefined) return;
    // Ask for a grace period only when it differs from the pod's own, as kubectl does.
    const grace =
      fit.shortenedFrom !== undefined || options.gracePeriodSeconds !== undefined
        ? fit.gracePeriodSeconds
        : undefined;
    try {
      if (options.disableEviction === true) {
        const deleted = await client.delete(
          { apiVersion: 'v1', kind: 'Pod', ...t.ref },
          grace === undefined ? {} : { gracePeriodSeconds: grace },
        );
        if (!deleted) t.state = 'gone';
        else markEvicted(t, now, fit);
        return;
      }
      const result = await client.evict(
        t.ref.namespace,
        t.ref.name,
        grace === undefined ? {} : { gracePeriodSeconds: grace },
      );
      if (result.evicted) {
        markEvicted(t, now, fit);
        return;
      }
      if (result.status === 404) {
        t.state = 'gone';
        return;
      }
      // 429: a budget (or the API server's rate limit) says not now.
      t.state = 'blocked';
      t.nextAttemptAt = now + retryMs;
      const budgets = budgetsFor(t.pod, await budgetsIn(t.ref.namespace)).map(viewBudget);
      t.budgets = budgets;
      const text =
        budgets.length === 0
          ? `eviction refused for now: ${result.message}`
          : budgets.map((b) => `PodDisruptionBudget ${b.name}: ${b.why}`).join('; ');
      if (text !== t.lastBlocked) {
        t.lastBlocked = text;
        emit({ type: 'blocked', pod: t.ref, budgets, message: text });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const status = error instanceof KubeApiError ? error.status : undefined;
      // Two budgets over one pod: the API refuses every eviction until someone fixes the budgets.
      const final = status === 500 && /more than one PodDisruptionBudget/i.test(message);
      if (status === 403 && /terminat/i.test(message)) {
        // The namespace is being deleted, which removes the pod anyway.
        markEvicted(t, now, fit);
        return;
      }
      t.error = message;
      t.state = final ? 'failed' : t.state;
      t.nextAttemptAt = now + retryMs;
      emit({ type: 'error', pod: t.ref, message, final });
    }
  };

  const markEvicted = (
    t: Tracked,
    now: number,
    fit: { gracePeriodSeconds: number; shortenedFrom?: number },
  ): void => {
    t.state = 'evicted';
    t.evictedAt = now;
    t.gracePeriodSeconds = fit.gracePeriodSeconds;
    if (fit.shortenedFrom !== undefined) t.shortenedFrom = fit.shortenedFrom;
    emit({
      type: 'evicting',
      pod: t.ref,
      gracePeriodSeconds: fit.gracePeriodSeconds,
      ...(fit.shortenedFrom === undefined ? {} : { shortenedFrom: fit.shortenedFrom }),
    });
  };

  for (;;) {
    signal?.throwIfAborted();
    const current = new Map(
      (await podsOnNode(client, node)).map((pod) => [key(refOf(pod)), pod.metadata?.uid] as const),
    );
    const now = Date.now();
    for (const t of tracked) {
      if (t.state === 'gone' && t.goneAt !== undefined) continue;
      const uid = current.get(key(t.ref));
      if (t.state === 'gone' || !current.has(key(t.ref)) || uid !== t.uid) {
        t.state = 'gone';
        t.goneAt = now;
        const seconds = (now - started) / 1000;
        report.evicted.push({
          ...t.ref,
          seconds,
          ...(t.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: t.gracePeriodSeconds }),
          ...(t.shortenedFrom === undefined ? {} : { shortenedFrom: t.shortenedFrom }),
          ...(t.wasTerminating ? { alreadyTerminating: true as const } : {}),
        });
        emit({ type: 'gone', pod: t.ref, seconds });
      }
    }
    const remaining = tracked.filter((t) => t.state !== 'gone');
    if (remaining.length === 0) return finish('drained');
    const stuck = remaining.every((t) => t.state === 'failed');
    if (stuck || (deadline !== undefined && now >= deadline.getTime())) {
      report.left = remaining.map((t) => leftOf(t, started, deadline));
      if (!stuck) emit({ type: 'deadline', left: remaining.length });
      return finish('incomplete');
    }
    const release = criticalReleased({
      othersRemaining: remaining.filter((t) => !t.critical).length,
      now,
      deadline,
      criticalGraceSeconds: criticalGrace,
    });
    const due = remaining.filter(
      (t) =>
        (t.state === 'pending' || t.state === 'blocked') &&
        t.nextAttemptAt <= now &&
        (!t.critical || release),
    );
    budgetCache = new Map();
    for (let i = 0; i < due.length; i += parallelEvictions) {
      await Promise.all(due.slice(i, i + parallelEvictions).map(attempt));
    }
    const untilDeadline = deadline === undefined ? pollMs : Math.max(0, deadline.getTime() - Date.now());
    await sleep(Math.min(pollMs, untilDeadline), undefined, { signal });
  }
}

function track(pod: V1Pod, graceOverride: number | undefined, terminating: boolean): Tracked {
  return {
    pod,
    ref: refOf(pod),
    uid: pod.metadata?.uid,
    own: ownGrace(pod, graceOverride),
    critical: isCritical(pod),
    state: terminating ? 'evicted' : 'pending',
    nextAttemptAt: 0,
    wasTerminating: terminating,
  };
}

function leftOf(t: Tracked, started: number, deadline: Date | undefined): PodLeft {
  const base = { ...t.ref };
  switch (t.state) {
    case 'blocked':
      return {
        ...base,
        state: 'blocked-by-pdb',
        reason: t.lastBlocked ?? 'the eviction API kept refusing it',
        ...(t.budgets === undefined ? {} : { budgets: t.budgets.map((b) => b.name) }),
      };
    case 'evicted': {
      const finalizers = t.pod.metadata?.finalizers ?? [];
      const held = finalizers.length > 0 ? `; finalizers ${finalizers.join(', ')} may hold it` : '';
      if (t.wasTerminating || t.evictedAt === undefined) {
        return {
          ...base,
          state: 'terminating',
          reason: `was already terminating and is still shutting down${held}`,
        };
      }
      const at = Math.round((t.evictedAt - started) / 1000);
      return {
        ...base,
        state: 'terminating',
        reason:
          `evicted ${at}s into the drain with a ${t.gracePeriodSeconds ?? t.own}s grace period; ` +
          `still shutting down at the deadline${held}`,
      };
    }
    case 'failed':
      return { ...base, state: 'failed', reason: t.error ?? 'eviction failed' };
    case 'pending': {
      if (t.error !== undefined) return { ...base, state: 'failed', reason: `last attempt: ${t.error}` };
      const reason = t.critical
        ? 'critical pod held back until the others were gone, and the deadline came first'
        : `no time was left to evict it before ${deadline?.toISOString() ?? 'the deadline'}`;
      return { ...base, state: 'not-attempted', reason };
    }
    case 'gone':
      return { ...base, state: 'terminating', reason: 'gone' };
  }
}
