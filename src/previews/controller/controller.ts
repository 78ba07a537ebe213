/**
 * The previews controller. Level-based: it does not remember events, it compares what the
 * preview namespaces say should be (desired commit, teardown wish, last push for the TTL) with
 * what is (deployed commit, the namespace itself) and does the difference. Webhooks only write
 * the wish and enqueue; a periodic resync enqueues every preview again, so anything missed —
 * a server restart mid-deploy included — is picked up.
 */
import { KubeApiError } from '../../kube/index.js';
import { expiresAt, phaseOf, previewAnnotations, type PreviewState, type TeardownReason } from '../state.js';
import type { Runtime } from '../runtime.js';
import { deployPreview } from './deploy-step.js';
import { annotate, createPreviewNamespace, listPreviews, readPreview } from './namespaces.js';
import { KeyedQueue } from './queue.js';
import { sweepApp, type SweepResult } from './sweep.js';
import { teardownPreview } from './teardown-step.js';

export class PreviewController {
  private readonly queue: KeyedQueue;
  private readonly deploying = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping: Promise<SweepResult[]> | undefined;
  private stopped = false;

  constructor(private readonly runtime: Runtime) {
    this.queue = new KeyedQueue({
      concurrency: runtime.config.concurrency,
      work: (namespace, signal) => this.reconcile(namespace, signal),
      onError: (namespace, error) => {
        runtime.log.error({ namespace, err: error }, 'preview reconcile failed; the next resync retries');
      },
      onChange: (stats) => {
        runtime.metrics.running.set(stats.running);
        runtime.metrics.runningMax.set(stats.maxRunning);
        runtime.metrics.queued.set(stats.queued);
      },
    });
  }

  async start(): Promise<void> {
    const abandoned = await this.runtime.records.abandonRunning();
    if (abandoned > 0)
      this.runtime.log.warn({ abandoned }, 'runs left running by a previous server were marked abandoned');
    await this.resync().catch((error: unknown) => {
      this.runtime.log.error({ err: error }, 'first resync failed; retrying on the resync interval');
    });
    const every = (ms: number, work: () => Promise<unknown>): void => {
      const timer = setInterval(() => {
        void work().catch((error: unknown) => {
          this.runtime.log.error({ err: error }, 'previews background work failed');
        });
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.runtime.config.resyncInterval, () => this.resync());
    every(this.runtime.config.sweepInterval, () => this.sweep());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.queue.stop('the server is shutting down');
    await this.sweeping?.catch(() => undefined);
  }

  enqueue(namespace: string): void {
    this.queue.add(namespace);
  }

  isDeploying(namespace: string): boolean {
    return this.deploying.has(namespace);
  }

  stats(): ReturnType<KeyedQueue['stats']> {
    return this.queue.stats();
  }

  /** Resolves when no run is queued or in progress (tests and benchmarks wait on this). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Marks the preview for teardown, stops a deploy of it that is running, and enqueues it. */
  async requestTeardown(namespace: string, reason: TeardownReason): Promise<boolean> {
    if (!(await this.markTeardown(namespace, reason))) return false;
    this.queue.cancel(namespace, `teardown requested (${reason})`);
    this.enqueue(namespace);
    return true;
  }

  private async markTeardown(namespace: string, reason: TeardownReason): Promise<boolean> {
    const marked = await annotate(this.runtime.kube, namespace, {
      [previewAnnotations.teardown]: reason,
      [previewAnnotations.teardownAt]: new Date().toISOString(),
    });
    if (marked) await this.runtime.records.upsertPreview({ namespace, status: 'tearing-down' });
    return marked;
  }

  /** Enqueues every preview namespace, and every recorded preview whose namespace may be gone. */
  async resync(): Promise<void> {
    if (this.stopped) return;
    const live = await listPreviews(this.runtime.kube);
    for (const state of live) if (this.runtime.apps.has(state.app)) this.enqueue(state.namespace);
    const liveNames = new Set(live.map((state) => state.namespace));
    for (const row of await this.runtime.records.previews()) {
      if (!liveNames.has(row.namespace) && row.status !== 'refused') this.enqueue(row.namespace);
    }
  }

  /** One sweep of every app (concurrent calls share the one in progress). */
  sweep(): Promise<SweepResult[]> {
    this.sweeping ??= (async () => {
      try {
        const results: SweepResult[] = [];
        for (const app of this.runtime.apps.values()) {
          const result = await sweepApp(this.runtime, app);
          if (result.skipped !== undefined)
            this.runtime.log.warn({ app: app.name }, `sweep skipped: ${result.skipped}`);
          for (const state of result.gone) {
            this.runtime.log.info(
              { namespace: state.namespace, branch: state.branch },
              'sweep: branch is gone',
            );
            await this.requestTeardown(state.namespace, 'sweep');
          }
          results.push(result);
        }
        await this.runtime.records.prune(new Date(Date.now() - this.runtime.config.deliveryRetention));
        return results;
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private async reconcile(namespace: string, signal: AbortSignal): Promise<void> {
    const read = await readPreview(this.runtime.kube, namespace);
    if (!read.exists) {
      await this.finishRemoval(namespace);
      return;
    }
    const state = read.state;
    // Not a preview (any more), or another app's that this server does not manage: hands off.
    if (state === undefined) return;
    const app = this.runtime.apps.get(state.app);
    if (app === undefined) return;
    await this.mirror(state);
    if (state.terminating) {
      // The API server is deleting it; look again shortly.
      setTimeout(() => {
        this.enqueue(namespace);
      }, 2000).unref();
      return;
    }
    let teardown = state.teardown;
    const expiry = expiresAt(state, this.runtime.config.ttl);
    if (teardown === undefined && expiry !== undefined && expiry.getTime() <= Date.now()) {
      // Written first, so a restart in the middle still tears it down.
      await this.markTeardown(namespace, 'ttl');
      teardown = 'ttl';
    }
    if (teardown !== undefined) {
      const gone = await teardownPreview(this.runtime, app, { ...state, teardown }, signal);
      if (gone) await this.finishRemoval(namespace);
      else this.enqueue(namespace);
      return;
    }
    if (state.desiredCommit === undefined) return;
    if (state.desiredCommit === state.deployedCommit || state.desiredCommit === state.failedCommit) return;
    this.deploying.add(namespace);
    try {
      await deployPreview(this.runtime, app, state, signal);
    } finally {
      this.deploying.delete(namespace);
    }
  }

  /** Keeps the store's row in step with the namespace (status, commits, expiry). */
  private async mirror(state: PreviewState): Promise<void> {
    const phase = phaseOf(state, this.deploying.has(state.namespace));
    await this.runtime.records.upsertPreview({
      namespace: state.namespace,
      app: state.app,
      repo: state.repo,
      branch: state.branch,
      label: state.label,
      host: state.host,
      url: state.url,
      release: state.release,
      status: phase as 'ready',
      desired_commit: state.desiredCommit ?? null,
      deployed_commit: state.deployedCommit ?? null,
      last_push_at: state.lastPushAt ?? null,
      expires_at: expiresAt(state, this.runtime.config.ttl)?.toISOString() ?? null,
      ...(state.createdAt === undefined ? {} : { created_at: state.createdAt }),
      removed_at: null,
      removed_reason: null,
    });
  }

  /**
   * The namespace is gone: record it, tell GitHub, and if the branch was pushed again while its
   * old preview was going, start the new one.
   */
  private async finishRemoval(namespace: string): Promise<void> {
    const row = await this.runtime.records.preview(namespace);
    if (row === undefined || row.status === 'removed' || row.status === 'refused') return;
    const runs = await this.runtime.records.runs(namespace, 1);
    const reason = runs[0]?.kind === 'teardown' ? runs[0].reason : 'namespace deleted outside Chartroom';
    await this.runtime.records.upsertPreview({
      namespace,
      status: 'removed',
      removed_at: new Date().toISOString(),
      removed_reason: reason,
      pending_commit: null,
      pending_pushed_at: null,
    });
    const app = this.runtime.apps.get(row.app);
    this.runtime.metrics.teardowns.inc({ reason });
    const github = await this.runtime.records.lastGithubDeployment(namespace);
    if (github !== undefined) await app?.reporter?.inactive(github, `preview removed (${reason})`);
    this.runtime.log.info({ namespace, branch: row.branch, reason }, 'preview removed');
    if (row.pending_commit !== null && app !== undefined) {
      try {
        const created = await createPreviewNamespace(this.runtime.kube, {
          namespace,
          app: row.app,
          label: row.label,
          branch: row.branch,
          repo: row.repo,
          host: row.host,
          url: row.url,
          release: row.release,
          commit: row.pending_commit,
          pushedAt: undefined,
          receivedAt: row.pending_pushed_at ?? new Date().toISOString(),
          pushedBy: row.pushed_by ?? undefined,
        });
        if (created) {
          await this.runtime.records.upsertPreview({
            namespace,
            status: 'queued',
            desired_commit: row.pending_commit,
            deployed_commit: null,
          });
          this.enqueue(namespace);
        }
      } catch (error) {
        if (!(error instanceof KubeApiError)) throw error;
        this.runtime.log.error(
          { namespace, err: error },
          'could not recreate the preview of a pushed-again branch',
        );
      }
    }
  }
}
