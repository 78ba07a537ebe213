import {
  annotateNode,
  cordonNode,
  recordEvent,
  type KubeClient,
  type NodeTaint,
  type V1Node,
} from '../../kube/index.js';
import { drainNode } from '../drain/drain.js';
import type { DrainEvent, DrainReport } from '../drain/types.js';
import { formatSeconds } from '../duration.js';
import type { Logger } from '../log.js';
import type { NodesMetrics } from '../metrics.js';
import { eventReasons, taintKeys, type Notice, type NoticeAction, type NoticeKind } from '../notice.js';
import type { WebhookMessage, WebhookNotifier } from './webhook.js';

/**
 * Set on the node when a notice is handled: a JSON list of what, when, and whether the drain
 * finished, so a restarted agent neither repeats a finished drain nor forgets a cordon.
 */
export const noticeAnnotation = 'chartroom.dev/termination-notices';

export interface NoticeRecord {
  kind: NoticeKind;
  id: string;
  action: NoticeAction;
  at: string;
  drained?: boolean;
  reboot?: boolean;
}

export interface ResponderOptions {
  client: KubeClient;
  log: Logger;
  metrics?: NodesMetrics;
  notifier?: WebhookNotifier;
  actions: Readonly<Record<NoticeKind, NoticeAction>>;
  deleteEmptyDirData: boolean;
  force: boolean;
  gracePeriodSeconds?: number;
  retryIntervalMs?: number;
  taintEffect: NodeTaint['effect'];
  /** Taken off a notice's end time: the drain must finish before the instance goes. */
  deadlineMarginMs: number;
  /** The longest a drain may take; also the deadline when a notice has no end time. */
  drainTimeoutMs: number;
  /** Who reports the Kubernetes events (agent or queue watcher). */
  component: string;
}

export interface NoticeOutcome {
  node: string;
  kind: NoticeKind;
  id: string;
  action: NoticeAction;
  /** Milliseconds from `seenAt` until the node was cordoned and tainted. */
  cordonMs?: number;
  drain?: DrainReport;
}

export function readNoticeRecords(node: V1Node | undefined): NoticeRecord[] {
  const text = node?.metadata?.annotations?.[noticeAnnotation];
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as NoticeRecord[]) : [];
  } catch {
    return [];
  }
}

function withRecord(records: readonly NoticeRecord[], record: NoticeRecord): string {
  return JSON.stringify([...records.filter((r) => r.id !== record.id), record]);
}

/** The drain must end before the instance does, and never take longer than the drain timeout. */
export function drainDeadline(
  notice: Notice,
  now: number,
  options: Pick<ResponderOptions, 'deadlineMarginMs' | 'drainTimeoutMs'>,
): Date {
  const cap = now + options.drainTimeoutMs;
  if (notice.endsAt === undefined) return new Date(cap);
  return new Date(Math.min(cap, notice.endsAt.getTime() - options.deadlineMarginMs));
}

/**
 * What every notice gets, whatever its source: a taint and a cordon at once (so nothing new lands
 * on the node), a Kubernetes Event and a webhook message, then, unless only a cordon is asked
 * for, a drain that fits the time the notice leaves, and a second Event and message saying how
 * it went.
 */
export async function respondToNotice(
  options: ResponderOptions,
  request: { node: string; notice: Notice; seenAt: number; signal?: AbortSignal },
): Promise<NoticeOutcome> {
  const { client, metrics, notifier } = options;
  const { node, notice, seenAt, signal } = request;
  const action = options.actions[notice.kind];
  const log = options.log.child({ node, kind: notice.kind, noticeId: notice.id });
  const outcome: NoticeOutcome = { node, kind: notice.kind, id: notice.id, action };
  metrics?.notices.inc({ kind: notice.kind });
  log.warn(`notice: ${notice.description}`, {
    action,
    ...(notice.instanceId === undefined ? {} : { instanceId: notice.instanceId }),
    ...(notice.endsAt === undefined ? {} : { endsAt: notice.endsAt.toISOString() }),
  });
  if (action === 'ignore') return outcome;

  const record: NoticeRecord = {
    kind: notice.kind,
    id: notice.id,
    action,
    at: new Date(seenAt).toISOString(),
    ...(notice.reboot === true ? { reboot: true } : {}),
  };
  const before = await client.get<V1Node>({ apiVersion: 'v1', kind: 'Node', name: node });
  const nodeObject = await cordonNode(client, node, {
    taints: [{ key: taintKeys[notice.kind], value: action, effect: options.taintEffect }],
    annotations: { [noticeAnnotation]: withRecord(readNoticeRecords(before), record) },
  });
  outcome.cordonMs = Date.now() - seenAt;
  metrics?.cordonSeconds.observe({ kind: notice.kind }, outcome.cordonMs / 1000);
  metrics?.actions.inc({ kind: notice.kind, action: 'cordon', result: 'success' });
  log.info('node cordoned and tainted', { taint: taintKeys[notice.kind], ms: outcome.cordonMs });

  const message = (text: string): WebhookMessage => ({
    EventID: notice.id,
    Kind: notice.kind,
    InstanceID: notice.instanceId ?? '',
    NodeName: node,
    Description: notice.description,
    StartTime: notice.issuedAt.toISOString(),
    Action: action,
    Message: text,
  });
  const report = async (type: 'Normal' | 'Warning', reason: string, text: string): Promise<void> => {
    const tasks: Promise<void>[] = [
      recordEvent(
        client,
        {
          apiVersion: 'v1',
          kind: 'Node',
          name: node,
          ...(nodeObject.metadata?.uid === undefined ? {} : { uid: nodeObject.metadata.uid }),
        },
        { type, reason, message: text.slice(0, 1000), component: options.component, host: node },
      ).then(
        () => undefined,
        (error: unknown) => {
          log.error('could not record the Kubernetes event', { error: String(error) });
        },
      ),
    ];
    if (notifier !== undefined) {
      tasks.push(
        notifier.send(message(text), signal).then((result) => {
          metrics?.webhooks.inc({ result: result.ok ? 'success' : 'error' });
          if (!result.ok) log.error('webhook post failed', { error: result.error });
        }),
      );
    }
    await Promise.all(tasks);
  };

  const what = action === 'drain' ? 'cordoned, draining' : 'cordoned (no drain for this kind of notice)';
  const noticeText = `${notice.description}; node ${node}${notice.instanceId === undefined ? '' : ` (${notice.instanceId})`} ${what}`;
  if (action === 'cordon') {
    await report('Warning', eventReasons[notice.kind], noticeText);
    return outcome;
  }
  // The first message goes out while the drain runs: seconds matter more than ordering here.
  const announced = report('Warning', eventReasons[notice.kind], noticeText);
  const deadline = drainDeadline(notice, Date.now(), options);
  log.info('draining', { deadline: deadline.toISOString() });
  const drain = await drainNode({
    client,
    node,
    deadline,
    cordon: false,
    deleteEmptyDirData: options.deleteEmptyDirData,
    force: options.force,
    ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
    ...(signal === undefined ? {} : { signal }),
    onEvent: (event) => {
      logDrainEvent(log, event);
    },
  });
  outcome.drain = drain;
  metrics?.drainSeconds.observe({ kind: notice.kind, status: drain.status }, drain.seconds);
  metrics?.podsEvicted.inc(drain.evicted.length);
  metrics?.podsLeft.inc(drain.left.length);
  metrics?.actions.inc({
    kind: notice.kind,
    action: 'drain',
    result: drain.status === 'drained' ? 'success' : 'error',
  });
  await annotateNode(client, node, {
    [noticeAnnotation]: withRecord(readNoticeRecords(nodeObject), {
      ...record,
      drained: drain.status === 'drained',
    }),
  }).catch((error: unknown) => {
    log.error('could not record the drain on the node', { error: String(error) });
  });
  await announced;
  const summary = drainSummary(drain);
  if (drain.status === 'drained')
    log.info(summary, { seconds: drain.seconds, evicted: drain.evicted.length });
  else log.error(summary, { seconds: drain.seconds, left: drain.left, refused: drain.refused });
  await report(
    drain.status === 'drained' ? 'Normal' : 'Warning',
    drain.status === 'drained' ? 'NodeDrained' : 'DrainIncomplete',
    summary,
  );
  return outcome;
}

export function drainSummary(drain: DrainReport): string {
  const took = formatSeconds(drain.seconds * 1000);
  if (drain.status === 'drained') {
    return `node ${drain.node} drained in ${took}: ${drain.evicted.length} pod(s) gone, ${drain.skipped.length} skipped`;
  }
  if (drain.status === 'refused') {
    return `node ${drain.node} not drained: ${drain.refused.map((p) => `${p.namespace}/${p.name} ${p.reason}`).join('; ')}`;
  }
  const left = drain.left.map((p) => `${p.namespace}/${p.name} (${p.state}: ${p.reason})`).join('; ');
  return `node ${drain.node} NOT fully drained by the deadline (${took}): ${drain.evicted.length} pod(s) gone, ${drain.left.length} left: ${left}`;
}

function logDrainEvent(log: Logger, event: DrainEvent): void {
  switch (event.type) {
    case 'blocked':
      log.warn(`eviction blocked: ${event.message}`, {
        pod: `${event.pod.namespace}/${event.pod.name}`,
        budgets: event.budgets,
      });
      return;
    case 'error':
      log.error(`eviction failed: ${event.message}`, {
        pod: `${event.pod.namespace}/${event.pod.name}`,
        final: event.final,
      });
      return;
    case 'warning':
      log.warn(event.message);
      return;
    case 'deadline':
      log.error('drain deadline reached', { left: event.left });
      return;
    case 'evicting':
      log.info('evicting pod', {
        pod: `${event.pod.namespace}/${event.pod.name}`,
        gracePeriodSeconds: event.gracePeriodSeconds,
        ...(event.shortenedFrom === undefined ? {} : { shortenedFrom: event.shortenedFrom }),
      });
      return;
    case 'gone':
      log.info('pod gone', { pod: `${event.pod.namespace}/${event.pod.name}`, seconds: event.seconds });
      return;
    case 'skipped':
      log.info('pod skipped', { pod: `${event.pod.namespace}/${event.pod.name}`, reason: event.reason });
      return;
    case 'planned':
      log.info('drain planned', {
        evict: event.evict,
        skipped: event.skipped,
        ...(event.secondsLeft === undefined ? {} : { secondsLeft: event.secondsLeft }),
      });
      return;
    case 'cordoned':
      log.info('node cordoned');
      return;
  }
}
