import { setTimeout as sleep } from 'node:timers/promises';
import { uncordonNode, type V1Node } from '../../kube/index.js';
import { NodesError } from '../errors.js';
import { ImdsClient, type ImdsClientOptions } from '../imds/client.js';
import { ImdsError } from '../imds/errors.js';
import {
  finishedEventIds,
  imdsPaths,
  lifecycleNotice,
  NoticeFormatError,
  rebalanceNotice,
  scheduledNotices,
  spotNotice,
} from '../imds/notices.js';
import { taintKeys, type Notice } from '../notice.js';
import {
  noticeAnnotation,
  readNoticeRecords,
  respondToNotice,
  type NoticeOutcome,
  type ResponderOptions,
} from '../respond/respond.js';
import { instanceIdOf } from '../instance.js';

export interface AgentMonitors {
  spot: boolean;
  rebalance: boolean;
  scheduled: boolean;
  asgLifecycle: boolean;
}

export interface AgentOptions {
  responder: ResponderOptions;
  /** The node this agent runs on (the DaemonSet passes spec.nodeName as NODE_NAME). */
  nodeName: string;
  imds?: ImdsClientOptions;
  /** How often IMDS is polled (AWS advises every 5s; default 2s like aws-node-termination-handler). */
  pollIntervalMs?: number;
  monitors?: Partial<AgentMonitors>;
  /** Act on a scheduled maintenance event this long before it starts (default 1h). */
  scheduledLeadMs?: number;
  /** After a scheduled reboot, make the node schedulable again (default true). */
  uncordonAfterReboot?: boolean;
  signal: AbortSignal;
  onOutcome?: (outcome: NoticeOutcome) => void;
}

export interface AgentStatus {
  startedAt: number;
  lastPollAt: number | undefined;
  imds: 'unknown' | 'up' | 'down';
  imdsMode: 'v1' | 'v2';
  lastImdsError: string | undefined;
  instanceId: string | undefined;
}

type Monitor = keyof AgentMonitors;
const pathOf: Record<Monitor, string> = {
  spot: imdsPaths.spot,
  rebalance: imdsPaths.rebalance,
  scheduled: imdsPaths.scheduled,
  asgLifecycle: imdsPaths.lifecycle,
};

/**
 * The per-node agent: polls IMDS for every way the instance can be taken away (spot interruption,
 * rebalance recommendation, scheduled maintenance, the ASG's target lifecycle state) and answers
 * each new notice once. IMDS failures are retried, counted and logged, and never stop it; only
 * the signal does.
 */
export class Agent {
  readonly status: AgentStatus;
  private readonly imds: ImdsClient;
  private readonly handled = new Set<string>();
  /** Once a drain ran, notices that would only cordon are moot. */
  private drained = false;
  private readonly monitors: AgentMonitors;
  /** Responses run one after another, while polling goes on (a spot notice can follow a rebalance). */
  private chain: Promise<void> = Promise.resolve();
  private errorStreak = new Map<string, { reason: string; since: number; count: number; loggedAt: number }>();

  constructor(private readonly options: AgentOptions) {
    const { metrics, log } = options.responder;
    this.monitors = {
      spot: options.monitors?.spot ?? true,
      rebalance: options.monitors?.rebalance ?? true,
      scheduled: options.monitors?.scheduled ?? true,
      asgLifecycle: options.monitors?.asgLifecycle ?? true,
    };
    this.status = {
      startedAt: Date.now(),
      lastPollAt: undefined,
      imds: 'unknown',
      imdsMode: 'v2',
      lastImdsError: undefined,
      instanceId: undefined,
    };
    this.imds = new ImdsClient({
      ...options.imds,
      onRetry: (error, attempt) => {
        metrics?.imdsErrors.inc({ reason: error.reason });
        log.warn(`IMDS request failed, retrying: ${error.message}`, {
          path: error.path,
          reason: error.reason,
          attempt,
        });
      },
      onFallbackToV1: (error) => {
        this.status.imdsMode = 'v1';
        log.warn(error.message, { reason: error.reason, hint: error.hint });
      },
    });
  }

  /** Polls until the signal aborts, then waits for a running response to finish or abort. */
  async run(): Promise<void> {
    const { log } = this.options.responder;
    const { signal } = this.options;
    const interval = this.options.pollIntervalMs ?? 2_000;
    const node = await this.startUp();
    log.info('agent started', {
      node: this.options.nodeName,
      imdsEndpoint: this.imds.endpoint,
      pollIntervalMs: interval,
      monitors: this.monitors,
      instanceId: this.status.instanceId ?? node.providerId,
    });
    while (!signal.aborted) {
      const started = Date.now();
      await this.pollOnce();
      const wait = Math.max(0, interval - (Date.now() - started));
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
    await this.chain;
    log.info('agent stopped', { reason: String(signal.reason) });
  }

  /** One round over every enabled IMDS path; new notices are queued for a response. */
  async pollOnce(): Promise<void> {
    const { metrics } = this.options.responder;
    if (this.status.instanceId === undefined) await this.learnInstanceId();
    const instanceId = this.status.instanceId;
    let failed = false;
    for (const monitor of Object.keys(this.monitors) as Monitor[]) {
      if (!this.monitors[monitor]) continue;
      const path = pathOf[monitor];
      try {
        const result = await this.imds.get(path, { signal: this.options.signal });
        metrics?.imdsRequests.inc({ path, result: result.found ? 'found' : 'not_found' });
        this.recovered(path);
        if (!result.found) continue;
        const now = new Date();
        for (const notice of this.noticesFrom(monitor, result.body, instanceId, now))
          this.consider(notice, now.getTime());
      } catch (error) {
        if (this.options.signal.aborted) return;
        failed = true;
        metrics?.imdsRequests.inc({ path, result: 'error' });
        this.failed(path, error);
      }
    }
    this.status.lastPollAt = Date.now();
    this.status.imds = failed ? 'down' : 'up';
    this.status.imdsMode = this.imds.mode;
    metrics?.imdsUp.set(failed ? 0 : 1);
    metrics?.lastPoll.set(Date.now() / 1000);
  }

  private noticesFrom(monitor: Monitor, body: string, instanceId: string | undefined, now: Date): Notice[] {
    switch (monitor) {
      case 'spot':
        return [spotNotice(body, instanceId, now)];
      case 'rebalance':
        return [rebalanceNotice(body, instanceId)];
      case 'scheduled': {
        const lead = this.options.scheduledLeadMs ?? 3_600_000;
        // Days ahead is too early to drain; within the lead time it is not.
        return scheduledNotices(body, instanceId).filter(
          (n) => n.endsAt === undefined || n.endsAt.getTime() - lead <= now.getTime(),
        );
      }
      case 'asgLifecycle': {
        const notice = lifecycleNotice(body, instanceId, now);
        return notice === undefined ? [] : [notice];
      }
    }
  }

  private consider(notice: Notice, seenAt: number): void {
    if (this.handled.has(notice.id)) return;
    this.handled.add(notice.id);
    const { log, actions } = this.options.responder;
    const action = actions[notice.kind];
    if (action === 'drain') this.drained = true;
    else if (this.drained) {
      log.info(`notice: ${notice.description} (the node is already drained for an earlier notice)`, {
        kind: notice.kind,
        noticeId: notice.id,
      });
      return;
    }
    this.chain = this.chain.then(async () => {
      try {
        const outcome = await respondToNotice(this.options.responder, {
          node: this.options.nodeName,
          notice,
          seenAt,
          signal: this.options.signal,
        });
        this.options.onOutcome?.(outcome);
      } catch (error) {
        if (this.options.signal.aborted) return;
        // Let the next poll try again: the API server may have been briefly away.
        this.handled.delete(notice.id);
        log.error(
          `responding to the notice failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            kind: notice.kind,
            noticeId: notice.id,
          },
        );
      }
    });
  }

  private failed(path: string, error: unknown): void {
    const { log, metrics } = this.options.responder;
    const reason =
      error instanceof ImdsError
        ? error.reason
        : error instanceof NoticeFormatError
          ? 'bad-response'
          : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    metrics?.imdsErrors.inc({ reason });
    this.status.lastImdsError = message;
    const now = Date.now();
    const streak = this.errorStreak.get(path);
    // Every new kind of failure is logged at once; a failure that persists, every 30 seconds.
    if (streak === undefined || streak.reason !== reason) {
      this.errorStreak.set(path, { reason, since: now, count: 1, loggedAt: now });
      log.error(`IMDS poll failed: ${message}`, {
        path,
        reason,
        ...(error instanceof ImdsError && error.hint !== undefined ? { hint: error.hint } : {}),
      });
      return;
    }
    streak.count += 1;
    if (now - streak.loggedAt >= 30_000) {
      streak.loggedAt = now;
      log.error(`IMDS poll still failing after ${streak.count} attempts: ${message}`, { path, reason });
    }
  }

  private recovered(path: string): void {
    const streak = this.errorStreak.get(path);
    if (streak === undefined) return;
    this.errorStreak.delete(path);
    this.options.responder.log.info('IMDS poll works again', {
      path,
      failedPolls: streak.count,
      seconds: (Date.now() - streak.since) / 1000,
    });
  }

  private async learnInstanceId(): Promise<void> {
    try {
      const result = await this.imds.get(imdsPaths.instanceId, { signal: this.options.signal });
      if (result.found) this.status.instanceId = result.body.trim();
    } catch (error) {
      if (!this.options.signal.aborted) this.failed(imdsPaths.instanceId, error);
    }
  }

  /**
   * Finds the node (retrying while the API server is away), warns when IMDS and the node's
   * providerID disagree about the instance, and, after a scheduled reboot, uncordons the node.
   */
  private async startUp(): Promise<{ providerId: string | undefined }> {
    const { client, log } = this.options.responder;
    const name = this.options.nodeName;
    let node: V1Node | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        node = await client.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name });
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        log.warn(`cannot read node ${name} yet: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(3_000, undefined, { signal: this.options.signal });
      }
    }
    if (node === undefined) {
      throw new NodesError(`node ${name} does not exist`, {
        code: 'node-not-found',
        exitCode: 4,
        hint: 'Pass the name of the node the agent runs on (--node-name, or NODE_NAME from spec.nodeName).',
      });
    }
    await this.learnInstanceId();
    const providerId = instanceIdOf(node);
    if (
      this.status.instanceId !== undefined &&
      providerId !== undefined &&
      providerId !== this.status.instanceId
    ) {
      log.warn(`IMDS says this is instance ${this.status.instanceId} but node ${name} is ${providerId}`, {
        hint: 'Check --node-name (NODE_NAME) and --imds-endpoint: notices would be applied to the wrong node.',
      });
    }
    for (const record of readNoticeRecords(node)) {
      if (record.action === 'cordon' || record.drained === true) this.handled.add(record.id);
      if (record.action === 'drain' && record.drained === true) this.drained = true;
      if (record.reboot === true && this.options.uncordonAfterReboot !== false) {
        if (await this.uncordonIfRebooted(record.id)) this.drained = false;
      }
    }
    return { providerId };
  }

  private async uncordonIfRebooted(eventId: string): Promise<boolean> {
    const { client, log } = this.options.responder;
    try {
      const result = await this.imds.get(imdsPaths.scheduled, { signal: this.options.signal });
      const finished = result.found ? finishedEventIds(result.body) : new Set<string>();
      const active = result.found
        ? scheduledNotices(result.body, undefined).some((n) => n.id === eventId)
        : false;
      if (active && !finished.has(eventId)) return false;
      await uncordonNode(client, this.options.nodeName, {
        taintKeys: [taintKeys['scheduled-maintenance']],
        annotations: [noticeAnnotation],
      });
      log.info('the scheduled reboot is over: node uncordoned', { noticeId: eventId });
      return true;
    } catch (error) {
      log.error(
        `could not check whether the scheduled reboot is over: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }
}
