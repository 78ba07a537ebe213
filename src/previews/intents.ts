/**
 * What a verified push or branch deletion changes: it writes the wish onto the preview's
 * namespace (create it, move its desired commit, or mark it for teardown) and wakes the
 * controller. The webhook answers as soon as that is written; the deploy runs later.
 *
 * The newest commit wins: a delivery is stale when a recorded push already went on top of its
 * commit, or when the git host's push time is older than the desired commit's. GitHub does not
 * promise delivery order, and redeliveries come whenever someone clicks.
 */
import type { DeleteChange, PushChange } from './webhooks/types.js';
import {
  annotate,
  createPreviewNamespace,
  findPreview,
  isConflict,
  listPreviews,
} from './controller/namespaces.js';
import type { PreviewController } from './controller/controller.js';
import { defaultHashLength } from './naming.js';
import { expiresAt, previewAnnotations } from './state.js';
import { ignoredBranch, namesFor, previewUrl, type AppRuntime, type Runtime } from './runtime.js';

export type IntentAction =
  | 'deploy'
  | 'unchanged'
  | 'stale'
  | 'ignored'
  | 'refused'
  | 'queued-after-teardown'
  | 'teardown'
  | 'already-removed';

export interface IntentResult {
  app: string;
  branch: string;
  action: IntentAction;
  reason?: string;
  namespace?: string;
  url?: string;
  commit?: string;
}

/** Serialises work per key (a branch), and one global section (creating previews, for the cap). */
class Mutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => tail);
    this.tails.set(key, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === chained) this.tails.delete(key);
    }
  }
}

/**
 * Why a push to an existing preview is older than its desired commit, or undefined when it is
 * newer. A push made on top of the desired commit is newer; otherwise the git host's push times
 * decide when both are known; otherwise a push that a recorded one went on top of is stale, and
 * the last to arrive wins.
 */
export function staleness(
  change: PushChange,
  desiredCommit: string | undefined,
  desiredPushedAt: string | undefined,
  onTop: boolean,
): string | undefined {
  if (desiredCommit !== undefined && change.before === desiredCommit) return undefined;
  if (change.pushedAt !== undefined && desiredPushedAt !== undefined) {
    const incoming = Date.parse(change.pushedAt);
    const desired = Date.parse(desiredPushedAt);
    if (incoming < desired) return `pushed before ${desiredCommit?.slice(0, 7) ?? 'the desired commit'}`;
    if (incoming > desired) return undefined;
  }
  return onTop ? 'a later push went on top of this commit' : undefined;
}

export class PreviewIntents {
  private readonly mutex = new Mutex();

  constructor(
    private readonly runtime: Runtime,
    private readonly controller: PreviewController,
  ) {}

  async push(app: AppRuntime, change: PushChange): Promise<IntentResult> {
    const base = { app: app.name, branch: change.branch, commit: change.commit };
    const ignored = ignoredBranch(app, change.branch, change.defaultBranch);
    if (ignored !== undefined) return { ...base, action: 'ignored', reason: ignored };
    return this.mutex.run(`${app.name}\u0000${change.branch}`, async () => {
      const receivedAt = new Date().toISOString();
      const onTop = await this.runtime.records.pushedOnTop(app.name, change.branch, change.commit);
      await this.runtime.records.recordPush({
        app: app.name,
        branch: change.branch,
        commit: change.commit,
        before: change.before,
        pushedAt: change.pushedAt,
      });
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const existing = await findPreview(this.runtime.kube, app.name, change.branch);
        if (existing === undefined) {
          if (onTop) return { ...base, action: 'stale', reason: 'a later push went on top of this commit' };
          const created = await this.mutex.run('\u0000create', () => this.create(app, change, receivedAt));
          if (created !== undefined) return created;
          continue;
        }
        const names = { namespace: existing.namespace, url: existing.url };
        if (existing.terminating || existing.teardown !== undefined) {
          // The branch came back while its old preview is going: deploy again once it is gone.
          await this.runtime.records.upsertPreview({
            namespace: existing.namespace,
            pending_commit: change.commit,
            pending_pushed_at: receivedAt,
          });
          return { ...base, ...names, action: 'queued-after-teardown' };
        }
        if (existing.desiredCommit === change.commit) return { ...base, ...names, action: 'unchanged' };
        const stale = staleness(change, existing.desiredCommit, existing.desiredPushedAt, onTop);
        if (stale !== undefined) return { ...base, ...names, action: 'stale', reason: stale };
        try {
          await annotate(
            this.runtime.kube,
            existing.namespace,
            {
              [previewAnnotations.desiredCommit]: change.commit,
              [previewAnnotations.desiredPushedAt]: change.pushedAt ?? null,
              [previewAnnotations.desiredReceivedAt]: receivedAt,
              [previewAnnotations.lastPushAt]: receivedAt,
              [previewAnnotations.pushedBy]: change.sender ?? null,
            },
            existing.resourceVersion,
          );
        } catch (error) {
          if (isConflict(error)) continue;
          throw error;
        }
        await this.runtime.records.upsertPreview({
          namespace: existing.namespace,
          status: this.controller.isDeploying(existing.namespace) ? 'deploying' : 'queued',
          desired_commit: change.commit,
          last_push_at: receivedAt,
          pushed_by: change.sender ?? null,
          expires_at:
            expiresAt({ ...existing, lastPushAt: receivedAt }, this.runtime.config.ttl)?.toISOString() ??
            null,
        });
        this.controller.enqueue(existing.namespace);
        return { ...base, ...names, action: 'deploy' };
      }
      throw new Error(`preview of ${change.branch} kept changing while it was updated`);
    });
  }

  /** Creates a new preview; undefined when another server created it first (read it again). */
  private async create(
    app: AppRuntime,
    change: PushChange,
    receivedAt: string,
  ): Promise<IntentResult | undefined> {
    const base = { app: app.name, branch: change.branch, commit: change.commit };
    const all = await listPreviews(this.runtime.kube);
    if (all.some((state) => state.app === app.name && state.branch === change.branch)) return undefined;
    const live = all.filter((state) => !state.terminating && state.teardown === undefined);
    if (live.length >= this.runtime.config.maxPreviews) {
      const names = namesFor(app, change.branch);
      const reason = `the cluster already has ${live.length} previews (maxPreviews ${this.runtime.config.maxPreviews}); delete a branch or raise the limit`;
      await this.runtime.records.upsertPreview({
        namespace: names.namespace,
        app: app.name,
        repo: change.repo,
        branch: change.branch,
        label: names.label,
        host: names.host,
        url: previewUrl(this.runtime.config, names.host),
        release: names.release,
        status: 'refused',
        desired_commit: change.commit,
        last_push_at: receivedAt,
        removed_reason: reason,
      });
      this.runtime.log.warn({ app: app.name, branch: change.branch }, `preview refused: ${reason}`);
      return { ...base, action: 'refused', reason };
    }
    // A hashed label can collide with another branch's (or with a namespace that is not ours):
    // then the hash grows until the name is free.
    for (let hashLength = defaultHashLength; hashLength <= 16; hashLength += 2) {
      const names = namesFor(app, change.branch, hashLength);
      const url = previewUrl(this.runtime.config, names.host);
      const created = await createPreviewNamespace(this.runtime.kube, {
        namespace: names.namespace,
        app: app.name,
        label: names.label,
        branch: change.branch,
        repo: change.repo,
        host: names.host,
        url,
        release: names.release,
        commit: change.commit,
        pushedAt: change.pushedAt,
        receivedAt,
        pushedBy: change.sender,
      });
      if (!created) {
        if (names.label === change.branch) {
          // Verbatim names cannot collide with another preview; the namespace is someone else's.
          this.runtime.log.warn({ namespace: names.namespace }, 'namespace exists and is not this preview');
        }
        continue;
      }
      await this.runtime.records.upsertPreview({
        namespace: names.namespace,
        app: app.name,
        repo: change.repo,
        branch: change.branch,
        label: names.label,
        host: names.host,
        url,
        release: names.release,
        status: 'queued',
        desired_commit: change.commit,
        deployed_commit: null,
        pushed_by: change.sender ?? null,
        created_at: receivedAt,
        last_push_at: receivedAt,
        expires_at:
          this.runtime.config.ttl > 0
            ? new Date(Date.parse(receivedAt) + this.runtime.config.ttl).toISOString()
            : null,
        removed_at: null,
        removed_reason: null,
        pending_commit: null,
        pending_pushed_at: null,
      });
      this.controller.enqueue(names.namespace);
      return { ...base, action: 'deploy', namespace: names.namespace, url };
    }
    throw new Error(`no free namespace name for branch ${change.branch}`);
  }

  async delete(app: AppRuntime, change: DeleteChange): Promise<IntentResult> {
    const base = { app: app.name, branch: change.branch };
    return this.mutex.run(`${app.name}\u0000${change.branch}`, async () => {
      const existing = await findPreview(this.runtime.kube, app.name, change.branch);
      if (existing === undefined) return { ...base, action: 'already-removed' };
      if (existing.terminating || existing.teardown !== undefined)
        return {
          ...base,
          namespace: existing.namespace,
          action: 'already-removed',
          reason: 'teardown in progress',
        };
      await this.controller.requestTeardown(existing.namespace, 'branch-deleted');
      return { ...base, namespace: existing.namespace, action: 'teardown' };
    });
  }
}
