/**
 * `chartroom nodes audit --aws` against moto's Auto Scaling and EC2 APIs: the groups are created
 * through the real AWS SDK calls, read back by the audit the way it reads a real region. The SDK
 * finds moto through the standard AWS_ENDPOINT_URL_<SERVICE> variables, as it would for a user.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  PutLifecycleHookCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { runCliInMemory, type CliRun } from '../../testing/cli.js';
import { startMoto, testCredentials, type MotoServer } from '../../testing/moto.js';
import type { AuditReport } from './model.js';

const region = 'us-east-1';
let moto: MotoServer;
let autoscaling: AutoScalingClient;

beforeAll(async () => {
  moto = await startMoto();
  autoscaling = new AutoScalingClient({ region, credentials: testCredentials, endpoint: moto.url });
  const env = {
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_AUTO_SCALING: moto.url,
    AWS_ENDPOINT_URL_EC2: moto.url,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_PROFILE', undefined);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  autoscaling.destroy();
  await moto.stop();
});

async function spotGroup(name: string): Promise<void> {
  // A launch configuration with a SpotPrice: how kops' (and the talk's) spot groups look in AWS.
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: name,
      ImageId: 'ami-12345678',
      InstanceType: 'm4.2xlarge',
      SpotPrice: '0.40',
    }),
  );
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: name,
      MinSize: 0,
      MaxSize: 10,
      AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      Tags: [{ Key: 'k8s.io/cluster-autoscaler/enabled', Value: 'true', PropagateAtLaunch: true }],
    }),
  );
}

function audit(args: string[]): Promise<CliRun> {
  return runCliInMemory(['nodes', 'audit', '--aws', '--region', region, '-o', 'json', ...args]);
}

describe('chartroom nodes audit --aws (moto)', () => {
  it('flags a spot ASG without suspended AZRebalance, and passes it once suspended and hooked', async () => {
    await spotGroup('talk-spot');
    await spotGroup('fixed-spot');
    await autoscaling.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: 'fixed-spot', ScalingProcesses: ['AZRebalance'] }),
    );
    await autoscaling.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: 'fixed-spot',
        LifecycleHookName: 'chartroom-drain',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        HeartbeatTimeout: 300,
        DefaultResult: 'CONTINUE',
      }),
    );

    // Selected by tag, both groups are read; only the one without the fix is flagged.
    const before = await audit(['--tag', 'k8s.io/cluster-autoscaler/enabled=true']);
    expect(before.code, before.stderr).toBe(1);
    expect(before.stderr).toContain('"code":"audit-findings"');
    const report = JSON.parse(before.stdout) as AuditReport;
    expect(report.groups.map((g) => g.name).sort()).toEqual(['fixed-spot', 'talk-spot']);
    expect(report.groups.find((g) => g.name === 'talk-spot')).toMatchObject({
      source: 'aws',
      spot: true,
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      suspendedProcesses: [],
      terminationHooks: [],
    });
    const az = report.findings.filter((f) => f.check === 'az-rebalance-not-suspended');
    expect(az).toMatchObject([{ group: 'talk-spot', severity: 'error' }]);
    expect(az[0]?.fix).toBe(
      'aws autoscaling suspend-processes --auto-scaling-group-name talk-spot --scaling-processes AZRebalance',
    );
    expect(
      report.findings.filter((f) => f.check === 'no-termination-lifecycle-hook').map((f) => f.group),
    ).toEqual(['talk-spot']);

    const after = await audit(['--asg', 'fixed-spot']);
    expect(after.code, after.stderr).toBe(0);
    const fixed = JSON.parse(after.stdout) as AuditReport;
    expect(fixed.groups).toMatchObject([
      {
        name: 'fixed-spot',
        spot: true,
        suspendedProcesses: ['AZRebalance'],
        terminationHooks: [{ name: 'chartroom-drain', heartbeatTimeout: 300 }],
      },
    ]);
    expect(fixed.passed).toBe(true);
  }, 60_000);
});
