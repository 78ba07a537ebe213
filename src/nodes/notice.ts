/**
 * A termination notice, whichever way it came (IMDS on the node, or EventBridge through SQS).
 * The responder turns it into taint + cordon (+ drain) the same way for every source.
 */
export type NoticeKind =
  | 'spot-interruption'
  | 'rebalance-recommendation'
  | 'scheduled-maintenance'
  | 'asg-lifecycle-termination'
  | 'instance-state-change'
  | 'health-event';

export const noticeKinds: readonly NoticeKind[] = [
  'spot-interruption',
  'rebalance-recommendation',
  'scheduled-maintenance',
  'asg-lifecycle-termination',
  'instance-state-change',
  'health-event',
];

/** What to do about a notice: drain, only cordon (and taint), or nothing but log it. */
export type NoticeAction = 'drain' | 'cordon' | 'ignore';

/** The defaults of aws-node-termination-handler: everything drains except a rebalance recommendation. */
export const defaultActions: Readonly<Record<NoticeKind, NoticeAction>> = {
  'spot-interruption': 'drain',
  'rebalance-recommendation': 'cordon',
  'scheduled-maintenance': 'drain',
  'asg-lifecycle-termination': 'drain',
  'instance-state-change': 'drain',
  'health-event': 'drain',
};

export interface LifecycleAction {
  groupName: string;
  hookName: string;
  token: string;
  instanceId: string;
}

export interface Notice {
  kind: NoticeKind;
  /** Stable per notice, so the same notice seen twice is handled once. */
  id: string;
  instanceId?: string;
  /** One line for people: what AWS said. */
  description: string;
  /** When the instance is expected to go (spot action time, maintenance NotBefore), if known. */
  endsAt?: Date;
  /** When the notice was issued (or first seen). */
  issuedAt: Date;
  /** The ASG lifecycle action to complete once the node is drained (queue mode). */
  lifecycle?: LifecycleAction;
  /** For scheduled reboots: uncordon once the instance is back. */
  reboot?: boolean;
}

/** The taint each kind puts on the node (NoSchedule), like aws-node-termination-handler's. */
export const taintKeys: Readonly<Record<NoticeKind, string>> = {
  'spot-interruption': 'chartroom.dev/spot-interruption',
  'rebalance-recommendation': 'chartroom.dev/rebalance-recommendation',
  'scheduled-maintenance': 'chartroom.dev/scheduled-maintenance',
  'asg-lifecycle-termination': 'chartroom.dev/asg-lifecycle-termination',
  'instance-state-change': 'chartroom.dev/instance-state-change',
  'health-event': 'chartroom.dev/health-event',
};

/** Event reasons (UpperCamelCase, as Kubernetes events have them). */
export const eventReasons: Readonly<Record<NoticeKind, string>> = {
  'spot-interruption': 'SpotInterruption',
  'rebalance-recommendation': 'RebalanceRecommendation',
  'scheduled-maintenance': 'ScheduledMaintenance',
  'asg-lifecycle-termination': 'ASGLifecycleTermination',
  'instance-state-change': 'InstanceStateChange',
  'health-event': 'HealthEvent',
};
