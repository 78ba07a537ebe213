/** Rows of access_requests <-> AccessRequest. */
import type { SqlValue } from '../../store/index.js';
import type { AccessLevel, GrantBinding } from './rbac.js';
import type { AccessRequest, BindingState, RequestState } from './types.js';

export interface RequestRow {
  id: string;
  cluster: string;
  level: string;
  namespace: string | null;
  duration_seconds: number;
  reason: string;
  requester_arn: string;
  requester_canonical_arn: string;
  requester_user_id: string;
  state: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  expires_at: string | null;
  ended_at: string | null;
  binding: string;
  binding_state: string;
}

export const requestColumns =
  'id, cluster, level, namespace, duration_seconds, reason, requester_arn, requester_canonical_arn, requester_user_id, state, created_at, decided_by, decided_at, decision_note, expires_at, ended_at, binding, binding_state';

export function fromRow(row: RequestRow): AccessRequest {
  const optional = <K extends string>(key: K, value: string | null): Partial<Record<K, string>> =>
    value === null ? {} : ({ [key]: value } as Record<K, string>);
  return {
    id: row.id,
    cluster: row.cluster,
    level: row.level as AccessLevel,
    ...optional('namespace', row.namespace),
    durationSeconds: row.duration_seconds,
    reason: row.reason,
    requester: {
      arn: row.requester_arn,
      canonicalArn: row.requester_canonical_arn,
      userId: row.requester_user_id,
    },
    state: row.state as RequestState,
    createdAt: row.created_at,
    ...optional('decidedBy', row.decided_by),
    ...optional('decidedAt', row.decided_at),
    ...optional('decisionNote', row.decision_note),
    ...optional('expiresAt', row.expires_at),
    ...optional('endedAt', row.ended_at),
    binding: JSON.parse(row.binding) as GrantBinding,
    bindingState: row.binding_state as BindingState,
  };
}

export function toParams(request: AccessRequest): SqlValue[] {
  return [
    request.id,
    request.cluster,
    request.level,
    request.namespace ?? null,
    request.durationSeconds,
    request.reason,
    request.requester.arn,
    request.requester.canonicalArn,
    request.requester.userId,
    request.state,
    request.createdAt,
    request.decidedBy ?? null,
    request.decidedAt ?? null,
    request.decisionNote ?? null,
    request.expiresAt ?? null,
    request.endedAt ?? null,
    JSON.stringify(request.binding),
    request.bindingState,
  ];
}
