import {
  CompleteLifecycleActionCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import type { LifecycleAction } from '../notice.js';

/** "No active Lifecycle Action found": completed already, or its heartbeat timeout passed. */
function noLongerActive(error: unknown): boolean {
  return error instanceof Error && /no active lifecycle action/i.test(error.message);
}

/**
 * Tells the ASG the instance may go (CONTINUE). Returns false when the action was no longer
 * active, which is not an error: the instance is going anyway.
 */
export async function completeLifecycleAction(
  client: AutoScalingClient,
  action: LifecycleAction,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await client.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: action.groupName,
        LifecycleHookName: action.hookName,
        LifecycleActionToken: action.token,
        LifecycleActionResult: 'CONTINUE',
        InstanceId: action.instanceId,
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    return true;
  } catch (error) {
    if (noLongerActive(error)) return false;
    throw error;
  }
}

/** Holds the instance in Terminating:Wait a little longer while a drain runs. */
export async function recordHeartbeat(client: AutoScalingClient, action: LifecycleAction): Promise<void> {
  await client.send(
    new RecordLifecycleActionHeartbeatCommand({
      AutoScalingGroupName: action.groupName,
      LifecycleHookName: action.hookName,
      LifecycleActionToken: action.token,
      InstanceId: action.instanceId,
    }),
  );
}

/** The hook's heartbeat timeout: how long the ASG waits before it terminates regardless. */
export async function hookTimeoutSeconds(
  client: AutoScalingClient,
  action: LifecycleAction,
): Promise<number | undefined> {
  const result = await client.send(
    new DescribeLifecycleHooksCommand({
      AutoScalingGroupName: action.groupName,
      LifecycleHookNames: [action.hookName],
    }),
  );
  return result.LifecycleHooks?.[0]?.HeartbeatTimeout;
}
