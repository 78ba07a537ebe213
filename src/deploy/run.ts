/**
 * `deploy(options)`: the talk's `helm upgrade --install --wait` made safe and explainable.
 *
 *   prepare (config, values in memory) → lock (Lease) → recover a pending-* release →
 *   record start → tracker + Helm side by side → first of: Helm done, a diagnosis, the lock
 *   lost, an abort → stop Helm with SIGTERM and a grace period when needed → record the end.
 */
import { ChartroomError, ExitCode } from '../core/errors.js';
import { openStore, type Store } from '../store/index.js';
import { now, type DeployEvent, type DeployOutcomeSummary } from './events.js';
import { upgradeArgs } from './helm/commands.js';
import { formatGoDuration } from './helm/duration.js';
import { explainHelmError, type HelmErrorExplanation } from './helm/error-hints.js';
import { helmError, startHelm, type HelmExit } from './helm/process.js';
import { releaseRevisions } from './helm/storage.js';
import { DeployHistory } from './history/history.js';
import { acquireDeployLock, describeHolder } from './lock/lease-lock.js';
import { prepareDeploy, type PrepareOptions, type PreparedDeploy } from './prepare.js';
import { recoverPending } from './recover/pending.js';
import { RolloutTracker } from './tracker/tracker.js';
import type { Diagnosis, Thresholds } from './tracker/types.js';

export interface DeployOptions extends PrepareOptions {
  /** Wait this long for another deploy of the release to finish (default 10 min; 0: fail at once). */
  lockTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when Helm must stop (default 30 s; 2 min with --atomic). */
  graceMs?: number;
  /** A pending-* record this old is recovered even without a dead deploy behind it (default 15 min). */
  recoverAfterMs?: number;
  thresholds?: Partial<Thresholds>;
  /** The store for the history (default: the embedded SQLite, or CHARTROOM_DATABASE_URL). */
  store?: Store;
  onEvent?: (event: DeployEvent) => void;
}

export type DeployResult = DeployOutcomeSummary & { status: 'succeeded' };

/** A deploy that ran and failed (or was interrupted): the error carries the whole outcome. */
export class DeployFailedError extends ChartroomError {
  constructor(readonly result: DeployOutcomeSummary) {
    const diagnosis = result.diagnosis;
    super(diagnosis?.summary ?? `deploy of ${result.release} failed`, {
      code:
        result.status === 'interrupted'
          ? 'deploy-interrupted'
          : diagnosis?.class === 'timeout'
            ? 'deploy-timeout'
            : 'deploy-failed',
      exitCode:
        result.status === 'interrupted'
          ? ExitCode.interrupted
          : diagnosis?.class === 'timeout'
            ? ExitCode.timeout
            : ExitCode.findings,
      ...(diagnosis === undefined ? {} : { hint: diagnosis.hint }),
    });
  }
}

const appliedLine =
  /^(?:Patch|Looks like there are no changes for|Created a new) (\w+) (?:called )?"([^"]+)"/;
const waitingLine = /^beginning wait for \d+ resources with timeout/;

type Ending =
  | { kind: 'helm'; exit: HelmExit }
  | { kind: 'diagnosis'; diagnosis: Diagnosis }
  | { kind: 'lock-lost'; error: Error }
  | { kind: 'abort' };

const afterAbort = (signal: AbortSignal | undefined): Promise<Ending> =>
  new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve({ kind: 'abort' });
    signal.addEventListener(
      'abort',
      () => {
        resolve({ kind: 'abort' });
      },
      { once: true },
    );
  });

const delay = <T>(ms: number, value: T): Promise<T> =>
  new Promise((resolve) =>
    setTimeout(() => {
      resolve(value);
    }, ms).unref(),
  );

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const prepared = await prepareDeploy(options);
  try {
    return await deployPrepared(prepared, options, started);
  } finally {
    prepared.values.channel.dispose();
  }
}

async function deployPrepared(
  prepared: PreparedDeploy,
  options: DeployOptions,
  started: number,
): Promise<DeployResult> {
  const emit = (event: DeployEvent): void => options.onEvent?.(event);
  const { target, values, kube } = prepared;
  emit({
    type: 'start',
    app: target.app,
    env: target.env,
    release: target.release,
    namespace: target.namespace,
    chart: prepared.chartRef,
    timeout: formatGoDuration(target.timeoutMs),
    atomic: target.atomic,
    values: values.sources.map((source) => ({ name: source.name, kind: source.kind })),
    at: now(),
  });
  const graceMs = options.graceMs ?? (target.atomic ? 120_000 : 30_000);
  const lock = await acquireDeployLock({
    kube,
    namespace: target.namespace,
    release: target.release,
    holder: {
      who: prepared.who,
      app: target.app,
      env: target.env,
      ...(prepared.commit === undefined ? {} : { commit: prepared.commit }),
    },
    waitMs: options.lockTimeoutMs ?? 600_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onWait: (holder) => {
      emit({ type: 'lock-wait', holder: describeHolder(holder), at: now() });
    },
  });
  const takeover =
    lock.takeover === undefined
      ? undefined
      : `${lock.takeover.reason === 'dead' ? 'its process is gone' : 'its lock expired'}: ${describeHolder(lock.takeover.previous)}`;
  emit({ type: 'lock-acquired', ...(takeover === undefined ? {} : { takeover }), at: now() });
  const store = options.store ?? (await openStore({ env: prepared.processEnv }));
  let tracker: RolloutTracker | undefined;
  try {
    const history = await DeployHistory.open(store);
    const clusterTarget = {
      namespace: target.namespace,
      kubeconfig: prepared.kubeconfig,
      context: prepared.context,
    };
    const recovery = await recoverPending({
      kube,
      target: clusterTarget,
      release: target.release,
      driver: prepared.driver,
      env: prepared.processEnv,
      takeover: lock.takeover,
      recoverAfterMs: options.recoverAfterMs ?? 15 * 60_000,
      timeoutMs: Math.min(target.timeoutMs, 120_000),
      graceMs,
      redact: values.redact,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (recovery !== undefined) emit({ type: 'recovered', recovery, at: now() });
    const historyId = await history.start({
      app: target.app,
      env: target.env,
      release: target.release,
      namespace: target.namespace,
      cluster: prepared.cluster,
      chart: prepared.chartRef,
      commit: prepared.commit ?? null,
      valuesDigest: values.digest,
      who: prepared.who,
      startedAt: new Date(started).toISOString(),
      recovery: recovery ?? null,
    });
    await history.markAbandoned({
      cluster: prepared.cluster,
      namespace: target.namespace,
      release: target.release,
      exceptId: historyId,
    });

    const before = await releaseRevisions(kube, {
      namespace: target.namespace,
      release: target.release,
      driver: prepared.driver,
    });
    const last = before.at(-1);
    tracker = await RolloutTracker.start({
      kube,
      namespace: target.namespace,
      release: target.release,
      driver: prepared.driver,
      afterRevision: last?.revision ?? 0,
      install: last === undefined || last.status === 'uninstalled',
      redact: values.redact,
      onEvent: emit,
      ...(options.thresholds === undefined ? {} : { thresholds: options.thresholds }),
    });
    const outcome = await runHelmBesideTracker({
      prepared,
      tracker,
      lock,
      graceMs,
      options,
      emit,
      revisionBefore: last?.revision ?? 0,
    });

    const after = await releaseRevisions(kube, {
      namespace: target.namespace,
      release: target.release,
      driver: prepared.driver,
    }).catch(() => []);
    const revision = tracker.revision;
    const summary: DeployOutcomeSummary = {
      status: outcome.status,
      app: target.app,
      env: target.env,
      release: target.release,
      namespace: target.namespace,
      revision,
      releaseStatus: after.at(-1)?.status,
      durationMs: Date.now() - started,
      valuesDigest: values.digest,
      commit: prepared.commit,
      who: prepared.who,
      historyId,
      recovery,
      diagnosis: outcome.diagnosis,
      workloads: tracker.snapshot(),
      notes: outcome.status === 'succeeded' ? tracker.notes() : undefined,
    };
    await history.finish(historyId, {
      result: outcome.status,
      revision,
      diagnosis: outcome.diagnosis,
      finishedAt: new Date(),
      durationMs: summary.durationMs,
    });
    emit({ type: 'done', result: summary, at: now() });
    if (summary.status !== 'succeeded') throw new DeployFailedError(summary);
    return { ...summary, status: 'succeeded' };
  } finally {
    await tracker?.stop();
    await lock.release();
    if (options.store === undefined) await store.close();
  }
}

interface HelmRunContext {
  prepared: PreparedDeploy;
  tracker: RolloutTracker;
  lock: Awaited<ReturnType<typeof acquireDeployLock>>;
  graceMs: number;
  options: DeployOptions;
  emit: (event: DeployEvent) => void;
  revisionBefore: number;
}

async function runHelmBesideTracker(
  context: HelmRunContext,
): Promise<{ status: 'succeeded' | 'failed' | 'interrupted'; diagnosis: Diagnosis | undefined }> {
  const { prepared, tracker, lock, graceMs, options, emit } = context;
  const { target, values } = prepared;
  const helm = startHelm({
    args: upgradeArgs({
      release: target.release,
      chart: target.chart,
      namespace: target.namespace,
      kubeconfig: prepared.kubeconfig,
      context: prepared.context,
      timeoutMs: target.timeoutMs,
      atomic: target.atomic,
      valuesArgs: values.args,
    }),
    env: prepared.processEnv,
    channel: values.channel,
    redact: values.redact,
    onLine: (line) => {
      const debug = /\[debug\] (.*)$/.exec(line)?.[1];
      if (debug !== undefined) {
        const applied = appliedLine.exec(debug);
        if (applied?.[1] !== undefined && applied[2] !== undefined)
          tracker.markApplied(applied[1], applied[2]);
        if (waitingLine.test(debug)) tracker.markHelmWaiting();
      }
      emit({ type: 'helm-log', line, at: now() });
    },
  });
  const helmStarted = Date.now();
  emit({ type: 'helm-start', pid: helm.pid, revisionBefore: context.revisionBefore, at: now() });
  void lock.setHelmPid(helm.pid);

  const ending = await Promise.race<Ending>([
    helm.exited.then((exit) => ({ kind: 'helm', exit })),
    tracker.failed.then((diagnosis) => ({ kind: 'diagnosis', diagnosis })),
    lock.lost.then((error) => ({ kind: 'lock-lost', error })),
    afterAbort(options.signal),
  ]);
  const stop = async (reason: string): Promise<HelmExit> => {
    emit({ type: 'stopping', reason, at: now() });
    const exit = await helm.stop(graceMs);
    emit({ type: 'helm-exit', code: exit.code, signal: exit.signal, at: now() });
    return exit;
  };
  switch (ending.kind) {
    case 'diagnosis':
      await stop(`rollout failed: ${ending.diagnosis.summary}`);
      return { status: 'failed', diagnosis: ending.diagnosis };
    case 'lock-lost':
      await stop(ending.error.message);
      return { status: 'failed', diagnosis: lockLostDiagnosis(ending.error) };
    case 'abort':
      await stop('interrupted');
      return { status: 'interrupted', diagnosis: interruptedDiagnosis(target.release) };
    case 'helm':
      break;
  }
  const exit = ending.exit;
  emit({ type: 'helm-exit', code: exit.code, signal: exit.signal, at: now() });
  if (exit.code !== 0) {
    const error = helmError(exit);
    // Helm stops on a failed hook as soon as the Job fails. The tracker sees the same Job through
    // its own watch and then reads the pod's log, which takes seconds on a loaded machine: wait
    // for its diagnosis (it names the pod, exit code and log) rather than report Helm's one line.
    // A hook Helm could not even create (forbidden, over quota) has no pod to read: no wait.
    const explained = explainHelmError(error, target);
    const hookFailed =
      /hooks? failed|failed (?:pre|post)-(?:install|upgrade)|job \S+ failed/i.test(error) &&
      explained.reason === 'helm-failed';
    const diagnosis = await Promise.race([tracker.failed, delay(hookFailed ? 15_000 : 2000, undefined)]);
    if (diagnosis !== undefined) return { status: 'failed', diagnosis };
    if (/context deadline exceeded|timed out waiting for the condition/.test(error)) {
      return {
        status: 'failed',
        diagnosis: tracker.timeoutDiagnosis(
          `Helm gave up after --timeout ${formatGoDuration(target.timeoutMs)} (${error})`,
        ),
      };
    }
    return { status: 'failed', diagnosis: helmFailedDiagnosis(error, explained) };
  }
  // Helm's --wait accepts a Deployment once replicas − maxUnavailable are ready; the tracker waits
  // for the whole rollout, within what is left of the timeout.
  const left = Math.max(10_000, target.timeoutMs - (Date.now() - helmStarted));
  const settled = await Promise.race([
    tracker.whenReady().then(() => undefined),
    tracker.failed,
    delay(left, 'timeout' as const),
    afterAbort(options.signal).then(() => 'abort' as const),
  ]);
  if (settled === undefined) return { status: 'succeeded', diagnosis: undefined };
  if (settled === 'abort') return { status: 'interrupted', diagnosis: interruptedDiagnosis(target.release) };
  if (settled === 'timeout')
    return {
      status: 'failed',
      diagnosis: tracker.timeoutDiagnosis(
        'Helm reported the release deployed, but the rollout did not finish',
      ),
    };
  return { status: 'failed', diagnosis: settled };
}

function simpleDiagnosis(cls: Diagnosis['class'], summary: string, hint: string): Diagnosis {
  const at = now();
  return { class: cls, summary, reason: cls, message: summary, hint, visibleAt: at, detectedAt: at };
}

function helmFailedDiagnosis(error: string, { reason, hint }: HelmErrorExplanation): Diagnosis {
  return { ...simpleDiagnosis('helm-failed', `helm failed: ${error || 'no error message'}`, hint), reason };
}

function interruptedDiagnosis(release: string): Diagnosis {
  return simpleDiagnosis(
    'interrupted',
    `deploy of ${release} interrupted; Helm was stopped and marks the release failed`,
    'Run the deploy again to finish it.',
  );
}

function lockLostDiagnosis(error: Error): Diagnosis {
  return simpleDiagnosis(
    'interrupted',
    error.message,
    'Check the release (helm history) before deploying again.',
  );
}
