import { z } from 'zod';
import type { Notice } from '../notice.js';

/**
 * Messages the queue receives, in every shape AWS sends them: EventBridge events (ASG lifecycle
 * actions, spot interruption warnings, rebalance recommendations, instance state changes, AWS
 * Health scheduled changes), a lifecycle hook's own notification straight to SQS, and either of
 * them wrapped in an SNS envelope.
 */
export type QueueMessage =
  | { type: 'notices'; notices: Notice[]; source: string }
  | { type: 'ignored'; reason: string }
  | { type: 'unknown'; reason: string };

const spotWarningMs = 120_000;
const terminatingTransition = 'autoscaling:EC2_INSTANCE_TERMINATING';
const stoppingStates = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

const eventBridge = z.object({
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  time: z.string(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});

const lifecycleDetail = z.object({
  LifecycleActionToken: z.string(),
  AutoScalingGroupName: z.string(),
  LifecycleHookName: z.string(),
  EC2InstanceId: z.string(),
  LifecycleTransition: z.string(),
});

const instanceDetail = z.object({ 'instance-id': z.string() });

const healthDetail = z.object({
  service: z.string().optional(),
  eventTypeCode: z.string().optional(),
  eventTypeCategory: z.string().optional(),
  affectedEntities: z.array(z.object({ entityValue: z.string() })).optional(),
});

function time(text: string): Date {
  const at = Date.parse(text);
  return Number.isNaN(at) ? new Date() : new Date(at);
}

function lifecycleNotice(detail: z.infer<typeof lifecycleDetail>, id: string, issuedAt: Date): Notice {
  return {
    kind: 'asg-lifecycle-termination',
    id,
    instanceId: detail.EC2InstanceId,
    description: `Auto Scaling group ${detail.AutoScalingGroupName} is terminating instance ${detail.EC2InstanceId} (hook ${detail.LifecycleHookName})`,
    issuedAt,
    lifecycle: {
      groupName: detail.AutoScalingGroupName,
      hookName: detail.LifecycleHookName,
      token: detail.LifecycleActionToken,
      instanceId: detail.EC2InstanceId,
    },
  };
}

function fromEventBridge(event: z.infer<typeof eventBridge>): QueueMessage {
  const issuedAt = time(event.time);
  const kind = event['detail-type'];
  const source = `${event.source}: ${kind}`;
  switch (kind) {
    case 'EC2 Instance-terminate Lifecycle Action': {
      const detail = lifecycleDetail.safeParse(event.detail);
      if (!detail.success) return { type: 'unknown', reason: `${kind} without the lifecycle action fields` };
      return { type: 'notices', source, notices: [lifecycleNotice(detail.data, event.id, issuedAt)] };
    }
    case 'EC2 Instance-launch Lifecycle Action':
      return {
        type: 'ignored',
        reason: 'launch lifecycle actions are not handled by the termination watcher',
      };
    case 'EC2 Spot Instance Interruption Warning': {
      const detail = instanceDetail.safeParse(event.detail);
      if (!detail.success) return { type: 'unknown', reason: `${kind} without instance-id` };
      const action =
        typeof event.detail['instance-action'] === 'string' ? event.detail['instance-action'] : 'terminate';
      const endsAt = new Date(issuedAt.getTime() + spotWarningMs);
      return {
        type: 'notices',
        source,
        notices: [
          {
            kind: 'spot-interruption',
            id: event.id,
            instanceId: detail.data['instance-id'],
            description: `spot instance ${action} at ${endsAt.toISOString()}`,
            endsAt,
            issuedAt,
          },
        ],
      };
    }
    case 'EC2 Instance Rebalance Recommendation': {
      const detail = instanceDetail.safeParse(event.detail);
      if (!detail.success) return { type: 'unknown', reason: `${kind} without instance-id` };
      return {
        type: 'notices',
        source,
        notices: [
          {
            kind: 'rebalance-recommendation',
            id: event.id,
            instanceId: detail.data['instance-id'],
            description: `rebalance recommendation issued at ${issuedAt.toISOString()}: elevated risk of interruption`,
            issuedAt,
          },
        ],
      };
    }
    case 'EC2 Instance State-change Notification': {
      const detail = instanceDetail.safeParse(event.detail);
      const state = typeof event.detail.state === 'string' ? event.detail.state : '';
      if (!detail.success) return { type: 'unknown', reason: `${kind} without instance-id` };
      if (!stoppingStates.has(state))
        return { type: 'ignored', reason: `instance state ${state || 'unknown'} needs no drain` };
      return {
        type: 'notices',
        source,
        notices: [
          {
            kind: 'instance-state-change',
            id: event.id,
            instanceId: detail.data['instance-id'],
            description: `instance ${detail.data['instance-id']} is ${state}`,
            issuedAt,
          },
        ],
      };
    }
    case 'AWS Health Event': {
      const detail = healthDetail.safeParse(event.detail);
      if (
        !detail.success ||
        detail.data.service !== 'EC2' ||
        detail.data.eventTypeCategory !== 'scheduledChange'
      ) {
        return { type: 'ignored', reason: 'only EC2 scheduled-change health events concern nodes' };
      }
      const instances = (detail.data.affectedEntities ?? [])
        .map((e) => e.entityValue)
        .filter((v) => v.startsWith('i-'));
      return {
        type: 'notices',
        source,
        notices: instances.map((instanceId) => ({
          kind: 'health-event' as const,
          id: `${event.id}-${instanceId}`,
          instanceId,
          description: `AWS Health ${detail.data.eventTypeCode ?? 'scheduled change'} for ${instanceId}`,
          issuedAt,
        })),
      };
    }
    default:
      return { type: 'unknown', reason: `unhandled event ${source}` };
  }
}

const directLifecycle = lifecycleDetail.extend({
  Service: z.string().optional(),
  Time: z.string().optional(),
  RequestId: z.string().optional(),
});

/** Parses one SQS message body. Never throws: an unreadable message is reported, not fatal. */
export function parseQueueMessage(body: string): QueueMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { type: 'unknown', reason: 'the message is not JSON' };
  }
  // SNS → SQS wraps the real message as a string in "Message".
  if (typeof json === 'object' && json !== null && (json as { Type?: unknown }).Type === 'Notification') {
    const inner = (json as { Message?: unknown }).Message;
    return typeof inner === 'string'
      ? parseQueueMessage(inner)
      : { type: 'unknown', reason: 'SNS envelope without a Message' };
  }
  if (
    typeof json === 'object' &&
    json !== null &&
    (json as { Event?: unknown }).Event === 'autoscaling:TEST_NOTIFICATION'
  ) {
    return { type: 'ignored', reason: 'the test notification AWS sends when a lifecycle hook is created' };
  }
  const event = eventBridge.safeParse(json);
  if (event.success) return fromEventBridge(event.data);
  const direct = directLifecycle.safeParse(json);
  if (direct.success) {
    if (direct.data.LifecycleTransition !== terminatingTransition) {
      return {
        type: 'ignored',
        reason: `lifecycle transition ${direct.data.LifecycleTransition} is not a termination`,
      };
    }
    return {
      type: 'notices',
      source: 'aws.autoscaling: lifecycle hook notification',
      notices: [
        lifecycleNotice(
          direct.data,
          direct.data.RequestId ?? direct.data.LifecycleActionToken,
          time(direct.data.Time ?? ''),
        ),
      ],
    };
  }
  return { type: 'unknown', reason: 'neither an EventBridge event nor a lifecycle hook notification' };
}
