import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { V1Node } from '../../kube/index.js';
import { nodeForInstance } from '../instance.js';
import type { Notice } from '../notice.js';
import { respondToNotice, type NoticeOutcome, type ResponderOptions } from '../respond/respond.js';
import { completeLifecycleAction, hookTimeoutSeconds, recordHeartbeat } from './lifecycle.js';
import { parseQueueMessage } from './events.js';

export interface QueueWatcherOptions {
  queueUrl: string;
  sqs: SQSClient;
  autoscaling: AutoScalingClient;
  responder: ResponderOptions;
  /** Messages handled at once (default 10, like aws-node-termination-handler's workers). */
  workers?: number;
  /** Long-poll wait per receive (default 20s, SQS's maximum). */
  waitTimeSeconds?: number;
  /** Send lifecycle heartbeats this often while draining (default: none). */
  heartbeatIntervalMs?: number;
  signal: AbortSignal;
  onHandled?: (result: HandledMessage) => void;
}

export interface HandledMessage {
  messageId: string;
  outcome: 'handled' | 'ignored' | 'unknown' | 'failed';
  reason?: string;
  notices: (NoticeOutcome | { kind: string; instanceId?: string; node?: undefined; skipped: string })[];
  lifecycleCompleted?: boolean;
}

/**
 * The queue mode: EventBridge rules put every termination-related event into an SQS queue, and
 * this turns each into a drain of the named node (instance id → node through providerID), then
 * completes the ASG lifecycle action so the instance may go. It is the only mode that sees
 * terminations the ASG starts itself, AZRebalance among them. A message is deleted only once it
 * is fully handled; if handling fails it comes back after its visibility timeout.
 */
export class QueueWatcher {
  private readonly busyNodes = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  /** When the last receive returned (with or without messages): the loop's pulse for /healthz. */
  lastPollAt = Date.now();

  constructor(private readonly options: QueueWatcherOptions) {}

  async run(): Promise<void> {
    const { sqs, queueUrl, signal } = this.options;
    const { log } = this.options.responder;
    const workers = this.options.workers ?? 10;
    const running = new Set<Promise<void>>();
    // A function, so the check is made again after each await (a plain read would stay narrowed).
    const stopped = (): boolean => signal.aborted;
    log.info('queue watcher started', { queueUrl, workers });
    while (!signal.aborted) {
      if (this.inFlight >= workers) {
        await Promise.race(running);
        continue;
      }
      let messages: Message[] = [];
      try {
        const result = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, workers - this.inFlight),
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 20,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          }),
          { abortSignal: signal },
        );
        messages = result.Messages ?? [];
        this.lastPollAt = Date.now();
      } catch (error) {
        if (stopped()) break;
        log.error(`receiving from the queue failed: ${errorText(error)}`, { queueUrl });
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        continue;
      }
      for (const message of messages) {
        this.inFlight += 1;
        const task = this.handle(message).finally(() => {
          this.inFlight -= 1;
          running.delete(task);
        });
        running.add(task);
      }
    }
    await Promise.allSettled(running);
    log.info('queue watcher stopped');
  }

  /** Handles one message to the end: respond to each notice, complete the lifecycle action, delete it. */
  async handle(message: Message): Promise<void> {
    const { responder, sqs, queueUrl } = this.options;
    const { log, metrics } = responder;
    const messageId = message.MessageId ?? '?';
    const parsed = parseQueueMessage(message.Body ?? '');
    const result: HandledMessage = { messageId, outcome: 'handled', notices: [] };
    try {
      if (parsed.type !== 'notices') {
        result.outcome = parsed.type;
        result.reason = parsed.reason;
        metrics?.queueMessages.inc({ kind: parsed.type, result: parsed.type });
        if (parsed.type === 'unknown')
          log.warn(`dropping a message that is not a termination event: ${parsed.reason}`, { messageId });
        else log.info(`message ignored: ${parsed.reason}`, { messageId });
      } else {
        log.info(`event received: ${parsed.source}`, { messageId, notices: parsed.notices.length });
        const nodes = await responder.client.list<V1Node>('v1', 'Node');
        for (const notice of parsed.notices) {
          const handled = await this.handleNotice(notice, nodes, message, result);
          result.notices.push(handled);
          metrics?.queueMessages.inc({ kind: notice.kind, result: 'handled' });
        }
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      result.outcome = 'failed';
      result.reason = errorText(error);
      metrics?.queueMessages.inc({ kind: 'any', result: 'failed' });
      log.error(`handling the message failed; it will be redelivered: ${result.reason}`, { messageId });
    }
    this.options.onHandled?.(result);
  }

  private async handleNotice(
    notice: Notice,
    nodes: readonly V1Node[],
    message: Message,
    result: HandledMessage,
  ): Promise<HandledMessage['notices'][number]> {
    const { responder, autoscaling, signal } = this.options;
    const { log } = responder;
    const node =
      notice.instanceId === undefined ? undefined : nodeForInstance(nodes, notice.instanceId)?.metadata?.name;
    const lifecycle = notice.lifecycle;
    if (node === undefined) {
      log.info(`instance ${notice.instanceId ?? '?'} is not a node of this cluster`, { kind: notice.kind });
      // Do not hold up an ASG over an instance we have nothing on.
      if (lifecycle !== undefined) result.lifecycleCompleted = await this.complete(notice);
      return {
        kind: notice.kind,
        ...(notice.instanceId === undefined ? {} : { instanceId: notice.instanceId }),
        skipped: 'not a node of this cluster',
      };
    }
    const drains = responder.actions[notice.kind] === 'drain';
    if (drains) {
      // Keep the message invisible to other replicas while the drain runs.
      const seconds = Math.ceil(responder.drainTimeoutMs / 1000) + 60;
      await this.options.sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.options.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: seconds,
          }),
        )
        .catch((error: unknown) => {
          log.warn(`could not extend the message's visibility: ${errorText(error)}`);
        });
    }
    if (
      lifecycle !== undefined &&
      notice.endsAt === undefined &&
      this.options.heartbeatIntervalMs === undefined
    ) {
      // Without heartbeats the instance goes when the hook times out: that is the real deadline.
      const timeout = await hookTimeoutSeconds(autoscaling, lifecycle).catch(() => undefined);
      if (timeout !== undefined) notice.endsAt = new Date(notice.issuedAt.getTime() + timeout * 1000);
    }
    const heartbeat =
      lifecycle !== undefined && this.options.heartbeatIntervalMs !== undefined
        ? setInterval(() => {
            recordHeartbeat(autoscaling, lifecycle).catch((error: unknown) => {
              log.warn(`lifecycle heartbeat failed: ${errorText(error)}`);
            });
          }, this.options.heartbeatIntervalMs)
        : undefined;
    try {
      // One response per node at a time: a spot warning and the lifecycle action often come together.
      const previous = this.busyNodes.get(node) ?? Promise.resolve();
      const current = previous
        .catch(() => undefined)
        .then(() => respondToNotice(responder, { node, notice, seenAt: Date.now(), signal }));
      this.busyNodes.set(node, current);
      const outcome = await current;
      if (this.busyNodes.get(node) === current) this.busyNodes.delete(node);
      if (lifecycle !== undefined) result.lifecycleCompleted = await this.complete(notice);
      return outcome;
    } finally {
      if (heartbeat !== undefined) clearInterval(heartbeat);
    }
  }

  private async complete(notice: Notice): Promise<boolean> {
    const { responder, autoscaling } = this.options;
    const lifecycle = notice.lifecycle;
    if (lifecycle === undefined) return false;
    try {
      const completed = await completeLifecycleAction(autoscaling, lifecycle);
      responder.metrics?.lifecycleCompletions.inc({ result: completed ? 'success' : 'not_active' });
      responder.log.info(
        completed
          ? `lifecycle action completed (CONTINUE): the ASG may terminate ${lifecycle.instanceId}`
          : `lifecycle action was no longer active (completed elsewhere or timed out)`,
        { group: lifecycle.groupName, hook: lifecycle.hookName, instanceId: lifecycle.instanceId },
      );
      return completed;
    } catch (error) {
      responder.metrics?.lifecycleCompletions.inc({ result: 'error' });
      throw error;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
