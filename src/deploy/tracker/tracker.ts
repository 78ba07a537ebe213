/**
 * The rollout tracker runs beside Helm. It learns the new revision's workloads and hooks from
 * the release record Helm writes before applying anything, watches them and their pods, reports
 * progress, and fails fast with the cause — long before Helm's own `--wait` would time out with
 * "context deadline exceeded".
 */
import { readPodLog, watchObjects, type KubeClient, type ObjectWatch, type V1Pod } from '../../kube/index.js';
import {
  decodeRelease,
  revisionOf,
  storageResource,
  storageSelector,
  type HelmDriver,
  type ReleaseRecord,
  type StorageObject,
} from '../helm/storage.js';
import { ClusterCache } from './cluster-cache.js';
import { findFailure, toDiagnosis, type Finding } from './diagnose.js';
import { FirstSeen, podIssues } from './pod-issues.js';
import {
  defaultThresholds,
  trackedKinds,
  type Diagnosis,
  type Thresholds,
  type TrackerEvent,
  type WorkloadKind,
  type WorkloadProgress,
  type WorkloadRef,
} from './types.js';
import { viewWorkload, type WorkloadView } from './workloads.js';

export interface TrackerOptions {
  kube: KubeClient;
  namespace: string;
  release: string;
  driver: HelmDriver;
  /** The release's latest revision before this deploy (0: none); the tracker follows the next. */
  afterRevision: number;
  /** Helm installs (runs *-install hooks) rather than upgrades. */
  install: boolean;
  thresholds?: Partial<Thresholds>;
  redact?: (text: string) => string;
  onEvent?: (event: TrackerEvent) => void;
  /** Fetch the failing container's last log lines (default true). */
  logs?: boolean;
}

const now = (): number => Date.now();
const at = (): string => new Date().toISOString();
const hookPhases = (install: boolean): string[] =>
  install ? ['pre-install', 'post-install'] : ['pre-upgrade', 'post-upgrade'];

export class RolloutTracker {
  /** Resolves with the first failure found (never rejects). */
  readonly failed: Promise<Diagnosis>;
  revision: number | undefined;
  private record: ReleaseRecord | undefined;
  private refs: WorkloadRef[] = [];
  private readonly applied = new Set<string>();
  private helmWaiting = false;
  private readonly completedHooks = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly seen = new FirstSeen();
  private readonly thresholds: Thresholds;
  private lastProgress = '';
  private lastRelease = '';
  private diagnosing = false;
  private done = false;
  private resolveFailed: (diagnosis: Diagnosis) => void = () => undefined;
  private readyWaiters: (() => void)[] = [];
  private readonly cache: ClusterCache;
  private storage: ObjectWatch<StorageObject> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;

  private constructor(private readonly options: TrackerOptions) {
    this.thresholds = { ...defaultThresholds, ...options.thresholds };
    this.failed = new Promise((resolve) => {
      this.resolveFailed = resolve;
    });
    this.cache = new ClusterCache(
      options.kube,
      () => {
        this.schedule();
      },
      () => undefined,
    );
  }

  /** Starts watching; resolves once the caches hold the cluster as it was before Helm starts. */
  static async start(options: TrackerOptions): Promise<RolloutTracker> {
    const tracker = new RolloutTracker(options);
    const resource = storageResource(options.driver);
    tracker.storage = watchObjects<StorageObject>(options.kube, resource, {
      namespace: options.namespace,
      labelSelector: storageSelector(options.release),
      onChange: () => {
        tracker.onRecordChange();
      },
    });
    await Promise.all([tracker.storage.synced, tracker.cache.watch(options.namespace)]);
    tracker.timer = setInterval(() => {
      tracker.evaluate();
    }, 1000);
    tracker.timer.unref();
    return tracker;
  }

  /** Helm's debug log said it applied (or found unchanged) this object. */
  markApplied(kind: string, name: string): void {
    this.applied.add(`${kind}/${name}`);
    this.schedule();
  }

  /** Helm applied everything and waits for readiness: every object holds this deploy's spec. */
  markHelmWaiting(): void {
    this.helmWaiting = true;
    this.schedule();
  }

  snapshot(): WorkloadProgress[] {
    return this.views().map((view) => view.progress);
  }

  /** Resolves when every workload of the release is rolled out (or the tracker stops). */
  whenReady(): Promise<void> {
    // Bring the progress stream up to date first: the rollout may have finished between two
    // evaluations, and the last progress a user (or a script) sees must be the ready state.
    this.evaluate();
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** A diagnosis for a Helm timeout: what was still not ready, and the worst pod problem seen. */
  timeoutDiagnosis(message: string): Diagnosis {
    const views = this.views().filter((view) => view.progress.state !== 'ready');
    const worst = this.worstIssue(views);
    const waiting = views.map(
      (view) => `${view.progress.ref.kind}/${view.progress.ref.name} ${view.progress.message}`,
    );
    const stamp = at();
    const ref = views[0]?.progress.ref;
    return {
      class: 'timeout',
      summary: `${message}${waiting.length === 0 ? '' : `; still waiting on ${waiting.join('; ')}`}`,
      ...(ref === undefined ? {} : { workload: ref }),
      ...(worst?.pod?.metadata?.name === undefined ? {} : { pod: worst.pod.metadata.name }),
      ...(worst?.issue?.container === undefined ? {} : { container: worst.issue.container }),
      reason: 'Timeout',
      message: this.redact(
        worst?.issue === undefined ? message : `${message}; last problem seen: ${worst.issue.message}`,
      ),
      hint: 'Nothing failed outright, but the rollout did not finish in time; raise --timeout if the app is just slow.',
      visibleAt: stamp,
      detectedAt: stamp,
    };
  }

  /** The chart's NOTES.txt as Helm rendered it for this revision (redacted). */
  notes(): string | undefined {
    const object = this.storage
      ?.list()
      .find((candidate) => revisionOf(candidate)?.revision === this.revision);
    const notes = object === undefined ? undefined : decodeRelease(object, this.options.driver)?.notes;
    return notes === undefined || notes.trim() === '' ? undefined : this.redact(notes.trim());
  }

  async stop(): Promise<void> {
    this.done = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const wake of this.readyWaiters.splice(0)) wake();
    await Promise.all([this.storage?.stop(), this.cache.stop()]);
  }

  private redact(text: string): string {
    return this.options.redact?.(text) ?? text;
  }

  private emit(event: TrackerEvent): void {
    this.options.onEvent?.(event);
  }

  private onRecordChange(): void {
    const objects = this.storage?.list() ?? [];
    const ours = objects
      .map((object) => ({ object, revision: revisionOf(object) }))
      .filter((entry) => entry.revision !== undefined && entry.revision.revision > this.options.afterRevision)
      .sort((a, b) => (a.revision?.revision ?? 0) - (b.revision?.revision ?? 0));
    const first = ours[0];
    if (first?.revision === undefined) return;
    if (this.record === undefined) {
      const record = decodeRelease(first.object, this.options.driver);
      if (record === undefined) return;
      this.record = record;
      this.revision = record.revision;
      this.refs = this.targets(record);
      const namespaces = new Set(this.refs.map((ref) => ref.namespace));
      for (const namespace of namespaces)
        void this.cache.watch(namespace).then(() => {
          this.schedule();
        });
    }
    const latest = ours.at(-1)?.revision;
    if (latest !== undefined && `${latest.revision}/${latest.status}` !== this.lastRelease) {
      this.lastRelease = `${latest.revision}/${latest.status}`;
      this.emit({ type: 'release', revision: latest.revision, status: latest.status, at: at() });
    }
    this.schedule();
  }

  private targets(record: ReleaseRecord): WorkloadRef[] {
    const refs: WorkloadRef[] = [];
    for (const object of record.objects) {
      if (trackedKinds.includes(object.kind)) {
        refs.push({
          kind: object.kind as WorkloadKind,
          name: object.name,
          namespace: object.namespace ?? record.namespace,
        });
      }
    }
    const phases = hookPhases(this.options.install);
    for (const hook of record.hooks) {
      if (
        (hook.kind === 'Job' || hook.kind === 'Pod') &&
        hook.events.some((event) => phases.includes(event))
      ) {
        refs.push({
          kind: hook.kind,
          name: hook.name,
          namespace: hook.object?.namespace ?? record.namespace,
          hook: hook.events,
        });
      }
    }
    return refs;
  }

  private isApplied(ref: WorkloadRef): boolean {
    if (ref.hook !== undefined) return this.cache.object(ref) !== undefined;
    return (
      this.helmWaiting || this.applied.has(`${ref.kind}/${ref.name}`) || this.cache.changedSinceStart(ref)
    );
  }

  private views(): WorkloadView[] {
    return this.refs.map((ref) => {
      const view = viewWorkload(ref, this.cache);
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
      if (ref.hook !== undefined) {
        if (view.progress.state === 'ready') this.completedHooks.add(key);
        if (this.completedHooks.has(key))
          return { ...view, progress: { ...view.progress, state: 'ready', message: 'completed' } };
        if (this.cache.object(ref) === undefined)
          view.progress.message = `hook (${ref.hook.join(', ')}), not started yet`;
        return view;
      }
      if (!this.isApplied(ref)) {
        return {
          ...view,
          progress: { ...view.progress, state: 'pending', message: 'waiting for Helm to apply it' },
        };
      }
      return view;
    });
  }

  private isReady(): boolean {
    if (this.record === undefined) return false;
    return this.views().every(
      (view) =>
        view.progress.state === 'ready' ||
        (view.progress.ref.hook !== undefined && view.progress.state === 'pending'),
    );
  }

  private worstIssue(views: WorkloadView[]): Finding | undefined {
    for (const view of views) {
      for (const pod of view.pods) {
        const issue = podIssues(pod, this.podContext(pod))[0];
        if (issue !== undefined)
          return { class: issue.class, workload: view.progress.ref, pod, issue, since: issue.since };
      }
    }
    return undefined;
  }

  private podContext(pod: V1Pod): Parameters<typeof podIssues>[1] {
    return {
      now: now(),
      seen: this.seen,
      thresholds: this.thresholds,
      events: this.cache.eventsFor(pod.metadata?.namespace ?? this.options.namespace, pod.metadata?.uid),
    };
  }

  private schedule(): void {
    if (this.scheduled || this.done) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.evaluate();
    }, 50).unref();
  }

  private evaluate(): void {
    if (this.done || this.record === undefined) return;
    const views = this.views();
    const progress = views.map((view) => view.progress);
    const text = JSON.stringify(progress);
    if (text !== this.lastProgress) {
      this.lastProgress = text;
      this.emit({ type: 'progress', workloads: progress, at: at() });
    }
    for (const view of views) {
      if (view.progress.state === 'pending' && view.progress.ref.hook === undefined) continue;
      this.warnAbout(view);
      const finding = findFailure(view, {
        now: now(),
        seen: this.seen,
        thresholds: this.thresholds,
        eventsFor: (pod) =>
          this.cache.eventsFor(pod.metadata?.namespace ?? view.progress.ref.namespace, pod.metadata?.uid),
      });
      if (finding !== undefined) {
        void this.diagnose(finding);
        return;
      }
    }
    if (this.isReady()) for (const wake of this.readyWaiters.splice(0)) wake();
  }

  /** Non-fatal trouble (a pull error that may recover, a Job retrying) is shown once, as it happens. */
  private warnAbout(view: WorkloadView): void {
    for (const pod of view.pods) {
      for (const issue of podIssues(pod, this.podContext(pod))) {
        const key = `${pod.metadata?.uid ?? ''}/${issue.container ?? ''}/${issue.reason}`;
        // Not ready yet is every pod's first state: only worth a word once it fails.
        if (issue.fatal || issue.class === 'readiness' || this.warned.has(key)) continue;
        this.warned.add(key);
        this.emit({
          type: 'warning',
          message: this.redact(
            `pod ${pod.metadata?.name ?? '?'}${issue.container === undefined ? '' : ` container ${issue.container}`}: ${issue.reason}: ${issue.message}`,
          ),
          workload: view.progress.ref,
          ...(pod.metadata?.name === undefined ? {} : { pod: pod.metadata.name }),
          at: at(),
        });
      }
    }
  }

  private async diagnose(finding: Finding): Promise<void> {
    if (this.diagnosing || this.done) return;
    this.diagnosing = true;
    const logs = await this.logsFor(finding);
    const diagnosis = toDiagnosis(finding, { now: now(), redact: (text) => this.redact(text), ...logs });
    this.emit({ type: 'diagnosis', diagnosis, at: at() });
    this.resolveFailed(diagnosis);
  }

  private async logsFor(finding: Finding): Promise<{ logs?: string[]; logsNote?: string }> {
    const { pod, issue } = finding;
    if (
      this.options.logs === false ||
      pod?.metadata?.name === undefined ||
      issue?.container === undefined ||
      issue.logs === undefined
    )
      return {};
    const read = (previous: boolean): Promise<string[]> =>
      readPodLog(this.options.kube, {
        namespace: pod.metadata?.namespace ?? this.options.namespace,
        pod: pod.metadata?.name ?? '',
        container: issue.container ?? '',
        previous,
        tailLines: 20,
      });
    // A node under load can take seconds to serve a log; the diagnosis waits for it that long.
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => {
        reject(new Error('the node did not answer within 8s'));
      }, 8000).unref(),
    );
    try {
      return { logs: await Promise.race([read(issue.logs === 'previous'), timeout]) };
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).replace(
        /^reading the .*? log of \S+ container \S+: /,
        '',
      );
      return { logsNote: `logs not available: ${this.redact(message)}` };
    }
  }
}
