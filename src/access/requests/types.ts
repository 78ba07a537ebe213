import type { AccessLevel, GrantBinding } from './rbac.js';

/** An IAM caller as STS names it. */
export interface Principal {
  /** The STS ARN: for a role, the assumed-role ARN with its session name. */
  arn: string;
  canonicalArn: string;
  /** AIDA…/AROA…: a principal deleted and recreated under the same name gets a new one. */
  userId: string;
}

export type RequestState = 'pending' | 'active' | 'denied' | 'expired' | 'revoked';
export type BindingState = 'none' | 'bound' | 'removed' | 'remove-failed';

export interface AccessRequest {
  id: string;
  cluster: string;
  level: AccessLevel;
  namespace?: string;
  durationSeconds: number;
  reason: string;
  requester: Principal;
  state: RequestState;
  createdAt: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionNote?: string;
  expiresAt?: string;
  endedAt?: string;
  binding: GrantBinding;
  bindingState: BindingState;
}

export interface AuditEvent {
  id: string;
  at: string;
  requestId?: string;
  cluster: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** Who may approve on a cluster and for how long at most. */
export interface ClusterAccessPolicy {
  approvers: readonly string[];
  maxDurationSeconds: number;
}
