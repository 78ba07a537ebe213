import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  PutLifecycleHookCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleStandIn } from './lifecycle-standin.js';
import { startMoto, testCredentials, type MotoServer } from '../../testing/moto.js';

const region = 'us-east-1';
let moto: MotoServer;
let standIn: LifecycleStandIn;
let client: AutoScalingClient;

beforeAll(async () => {
  moto = await startMoto();
  standIn = new LifecycleStandIn({ motoUrl: moto.url, credentials: testCredentials, region });
  client = new AutoScalingClient({ region, endpoint: await standIn.start(), credentials: testCredentials });
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'lc',
      ImageId: 'ami-12345678',
      InstanceType: 'm5.large',
    }),
  );
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'nodes',
      LaunchConfigurationName: 'lc',
      MinSize: 0,
      MaxSize: 3,
      AvailabilityZones: ['us-east-1a'],
    }),
  );
  await client.send(
    new PutLifecycleHookCommand({
      AutoScalingGroupName: 'nodes',
      LifecycleHookName: 'drain',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      HeartbeatTimeout: 300,
      DefaultResult: 'CONTINUE',
    }),
  );
}, 60_000);

afterAll(async () => {
  client.destroy();
  await standIn.stop();
  await moto.stop();
});

const complete = (
  overrides: Partial<ConstructorParameters<typeof CompleteLifecycleActionCommand>[0]> = {},
  c = client,
) =>
  c.send(
    new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'nodes',
      LifecycleHookName: 'drain',
      LifecycleActionToken: 'token-1',
      LifecycleActionResult: 'CONTINUE',
      InstanceId: 'i-0123456789abcdef0',
      ...overrides,
    }),
  );

describe('the CompleteLifecycleAction stand-in in front of moto', () => {
  it('passes every other call through to moto', async () => {
    const groups = await client.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['nodes'] }),
    );
    expect(groups.AutoScalingGroups?.[0]?.AutoScalingGroupName).toBe('nodes');
  });

  it('checks the signature, group, hook, token and result the way AWS does', async () => {
    standIn.expect({ group: 'nodes', hook: 'drain', token: 'token-1', instanceId: 'i-0123456789abcdef0' });
    const forger = new AutoScalingClient({
      region,
      endpoint: standIn.url,
      credentials: { ...testCredentials, secretAccessKey: 'not-the-secret' },
    });
    await expect(complete({}, forger)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    forger.destroy();
    await expect(complete({ AutoScalingGroupName: 'other' })).rejects.toThrow(
      /AutoScalingGroup name not found/,
    );
    await expect(complete({ LifecycleHookName: 'launch' })).rejects.toThrow(/No Lifecycle Hook found/);
    await expect(complete({ LifecycleActionToken: 'token-2' })).rejects.toThrow(/No active Lifecycle Action/);
    await expect(complete({ LifecycleActionResult: 'MAYBE' })).rejects.toThrow(/CONTINUE or ABANDON/);
    expect(standIn.completions).toHaveLength(0);
    await complete();
    expect(standIn.completions).toMatchObject([
      { group: 'nodes', hook: 'drain', token: 'token-1', result: 'CONTINUE' },
    ]);
    // Completed once, it is no longer pending.
    await expect(complete()).rejects.toThrow(/No active Lifecycle Action/);
  });
});
