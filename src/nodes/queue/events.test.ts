import { describe, expect, it } from 'vitest';
import { parseQueueMessage } from './events.js';

const event = (detailType: string, source: string, detail: Record<string, unknown>) =>
  JSON.stringify({
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-03-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });

const lifecycle = {
  LifecycleActionToken: 'tok-1',
  AutoScalingGroupName: 'nodes',
  LifecycleHookName: 'drain',
  EC2InstanceId: 'i-0123',
  LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
};

describe('queue messages', () => {
  it('reads an ASG termination lifecycle action with what completing it needs', () => {
    const parsed = parseQueueMessage(
      event('EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', lifecycle),
    );
    expect(parsed).toMatchObject({
      type: 'notices',
      notices: [
        {
          kind: 'asg-lifecycle-termination',
          id: 'e-1',
          instanceId: 'i-0123',
          lifecycle: { groupName: 'nodes', hookName: 'drain', token: 'tok-1', instanceId: 'i-0123' },
        },
      ],
    });
  });

  it('gives a spot interruption warning its two-minute end', () => {
    const parsed = parseQueueMessage(
      event('EC2 Spot Instance Interruption Warning', 'aws.ec2', {
        'instance-id': 'i-0123',
        'instance-action': 'terminate',
      }),
    );
    expect(parsed.type === 'notices' && parsed.notices[0]?.endsAt?.toISOString()).toBe(
      '2026-03-01T10:02:00.000Z',
    );
  });

  it('reads rebalance, stopping state changes and EC2 scheduled health events; ignores running', () => {
    expect(
      parseQueueMessage(event('EC2 Instance Rebalance Recommendation', 'aws.ec2', { 'instance-id': 'i-1' })),
    ).toMatchObject({
      notices: [{ kind: 'rebalance-recommendation', instanceId: 'i-1' }],
    });
    expect(
      parseQueueMessage(
        event('EC2 Instance State-change Notification', 'aws.ec2', {
          'instance-id': 'i-1',
          state: 'stopping',
        }),
      ),
    ).toMatchObject({
      notices: [{ kind: 'instance-state-change' }],
    });
    expect(
      parseQueueMessage(
        event('EC2 Instance State-change Notification', 'aws.ec2', {
          'instance-id': 'i-1',
          state: 'running',
        }),
      ).type,
    ).toBe('ignored');
    const health = parseQueueMessage(
      event('AWS Health Event', 'aws.health', {
        service: 'EC2',
        eventTypeCategory: 'scheduledChange',
        eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        affectedEntities: [{ entityValue: 'i-1' }, { entityValue: 'i-2' }],
      }),
    );
    expect(health.type === 'notices' && health.notices.map((n) => n.instanceId)).toEqual(['i-1', 'i-2']);
  });

  it('unwraps SNS, reads direct hook notifications, ignores the test notification and launches', () => {
    const direct = JSON.stringify({
      ...lifecycle,
      Service: 'AWS Auto Scaling',
      Time: '2026-03-01T10:00:00Z',
      RequestId: 'r-1',
    });
    expect(parseQueueMessage(JSON.stringify({ Type: 'Notification', Message: direct }))).toMatchObject({
      notices: [{ id: 'r-1', lifecycle: { token: 'tok-1' } }],
    });
    expect(parseQueueMessage(JSON.stringify({ Event: 'autoscaling:TEST_NOTIFICATION' })).type).toBe(
      'ignored',
    );
    expect(
      parseQueueMessage(event('EC2 Instance-launch Lifecycle Action', 'aws.autoscaling', lifecycle)).type,
    ).toBe('ignored');
    expect(parseQueueMessage('not json')).toEqual({ type: 'unknown', reason: 'the message is not JSON' });
    expect(parseQueueMessage('{"hello":1}').type).toBe('unknown');
  });
});
