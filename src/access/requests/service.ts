/**
 * Self-service, time-boxed access: a developer asks, an approver approves or denies, the grant
 * creates its RBAC binding and its mapping, and expiry (or an early revoke) removes both. Every
 * step lands in the audit trail.
 *
 * The mapping is this table: a request that is `active` and not yet past `expires_at` adds its
 * group to the caller's TokenReview answer. That makes expiry exact at the second even if the
 * sweeper that deletes the binding runs late; the binding alone grants nothing, because nobody
 * but the grant's mapping puts anyone in the grant's group.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { ActiveGrant, GrantLookup } from '../mapping/mapper.js';
import { principalKey } from '../mapping/aws-auth.js';
import { formatDuration } from './duration.js';
import { notAllowed, requestNotFound, wrongState } from './errors.js';
import { accessMigrations } from './migrations.js';
import { accessLevels, bindingFor, type AccessLevel, type RbacClient } from './rbac.js';
import { fromRow, requestColumns, toParams, type RequestRow } from './row.js';
import type { AccessRequest, AuditEvent, ClusterAccessPolicy, Principal, RequestState } from './types.js';

export interface AccessRequestsOptions {
  store: Store;
  now?: () => Date;
}

export interface NewRequest {
  cluster: string;
  level: AccessLevel;
  namespace?: string;
  durationSeconds: number;
  reason: string;
  requester: Principal;
  policy: ClusterAccessPolicy;
}

export interface Decision {
  id: string;
  actor: Principal;
  note?: string;
  policy: ClusterAccessPolicy;
  rbac: RbacClient;
  /** Where the decision was made (`dashboard`), recorded in the audit trail; the CLI leaves it out. */
  via?: string;
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class AccessRequests {
  private readonly store: Store;
  private readonly now: () => Date;

  private constructor(options: AccessRequestsOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens the service on a store, applying its migrations. */
  static async open(options: AccessRequestsOptions): Promise<AccessRequests> {
    await options.store.migrate(accessMigrations);
    return new AccessRequests(options);
  }

  async request(input: NewRequest): Promise<AccessRequest> {
    if (!accessLevels.includes(input.level)) {
      throw new UsageError(`unknown access level ${JSON.stringify(input.level)}`, 'Use view, edit or admin.');
    }
    if (
      input.namespace !== undefined &&
      (!namespacePattern.test(input.namespace) || input.namespace.length > 63)
    ) {
      throw new UsageError(
        `invalid namespace ${JSON.stringify(input.namespace)}`,
        'Use a Kubernetes namespace name.',
      );
    }
    if (input.durationSeconds < 60 || input.durationSeconds > input.policy.maxDurationSeconds) {
      throw new UsageError(
        `a grant on ${input.cluster} lasts between 1m and ${formatDuration(input.policy.maxDurationSeconds)}`,
        'Ask for a shorter --for, or ask again when it runs out.',
      );
    }
    if (input.reason.trim() === '')
      throw new UsageError('a reason is required', 'Say why with --reason "…".');
    const id = randomBytes(5).toString('hex');
    const request: AccessRequest = {
      id,
      cluster: input.cluster,
      level: input.level,
      ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
      durationSeconds: input.durationSeconds,
      reason: input.reason.trim(),
      requester: input.requester,
      state: 'pending',
      createdAt: this.now().toISOString(),
      binding: bindingFor({
        requestId: id,
        level: input.level,
        ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
      }),
      bindingState: 'none',
    };
    await this.store.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO access_requests (${requestColumns}) VALUES (${placeholders(18)})`,
        toParams(request),
      );
      await this.audit(tx, request, input.requester.arn, 'requested', {
        level: request.level,
        namespace: request.namespace ?? null,
        duration: formatDuration(request.durationSeconds),
        reason: request.reason,
      });
    });
    return request;
  }

  async approve(decision: Decision): Promise<AccessRequest> {
    const request = await this.decidable(decision);
    // The binding first: if the cluster refuses it, nothing is granted and the request stays pending.
    try {
      await decision.rbac.bind(request.binding);
    } catch (error) {
      await this.audit(this.store, request, decision.actor.arn, 'bind-failed', {
        error: (error as Error).message,
      });
      throw error;
    }
    const now = this.now();
    const expiresAt = new Date(now.getTime() + request.durationSeconds * 1000).toISOString();
    const changed = await this.store.transaction(async (tx) => {
      const result = await tx.run(
        `UPDATE access_requests SET state = 'active', decided_by = $1, decided_at = $2, decision_note = $3, expires_at = $4, binding_state = 'bound' WHERE id = $5 AND state = 'pending'`,
        [decision.actor.arn, now.toISOString(), decision.note ?? null, expiresAt, request.id],
      );
      if (result.changes === 1) {
        await this.audit(tx, request, decision.actor.arn, 'approved', {
          expiresAt,
          note: decision.note ?? null,
          ...viaOf(decision),
        });
        await this.audit(tx, request, decision.actor.arn, 'bound', {
          binding: request.binding.name,
          clusterRole: request.binding.clusterRole,
          namespace: request.binding.namespace ?? null,
        });
      }
      return result.changes === 1;
    });
    if (!changed) {
      // Someone decided it while we were binding: take our binding back.
      const current = await this.get(request.id);
      if (current.state !== 'active') await decision.rbac.unbind(request.binding);
      throw wrongState(request.id, current.state, 'pending');
    }
    return this.get(request.id);
  }

  async deny(decision: Decision): Promise<AccessRequest> {
    const request = await this.decidable(decision);
    await this.store.transaction(async (tx) => {
      const result = await tx.run(
        `UPDATE access_requests SET state = 'denied', decided_by = $1, decided_at = $2, decision_note = $3 WHERE id = $4 AND state = 'pending'`,
        [decision.actor.arn, this.now().toISOString(), decision.note ?? null, request.id],
      );
      if (result.changes !== 1) throw wrongState(request.id, 'decided', 'pending');
      await this.audit(tx, request, decision.actor.arn, 'denied', {
        note: decision.note ?? null,
        ...viaOf(decision),
      });
    });
    return this.get(request.id);
  }

  /** Ends an active grant early: its requester or an approver may. */
  async revoke(decision: Decision): Promise<AccessRequest> {
    const request = await this.get(decision.id);
    const isRequester = samePrincipal(request.requester, decision.actor);
    if (!isRequester && !isApprover(decision.actor, decision.policy)) {
      throw notAllowed(
        `${decision.actor.arn} may not revoke access request ${request.id}`,
        'Only its requester or an approver of the cluster may.',
      );
    }
    if (request.state !== 'active') throw wrongState(request.id, request.state, 'active');
    return this.end(request, 'revoked', decision.actor.arn, decision.rbac, decision.note, viaOf(decision));
  }

  /** Ends every grant of the cluster whose time is up. Returns what it ended (or retried). */
  async expire(options: { cluster: string; rbac: RbacClient }): Promise<AccessRequest[]> {
    const now = this.now().toISOString();
    const rows = await this.store.all<RequestRow>(
      `SELECT ${requestColumns} FROM access_requests WHERE cluster = $1 AND ((state = 'active' AND expires_at <= $2) OR binding_state = 'remove-failed') ORDER BY expires_at`,
      [options.cluster, now],
    );
    const ended: AccessRequest[] = [];
    for (const row of rows) {
      const request = fromRow(row);
      ended.push(
        request.state === 'active'
          ? await this.end(request, 'expired', 'chartroom', options.rbac)
          : await this.removeBinding(request, 'chartroom', options.rbac),
      );
    }
    return ended;
  }

  /** When the next active grant of the cluster runs out, if any. */
  async nextExpiry(cluster: string): Promise<Date | undefined> {
    const row = await this.store.get<{ expires_at: string | null }>(
      `SELECT MIN(expires_at) AS expires_at FROM access_requests WHERE cluster = $1 AND state = 'active'`,
      [cluster],
    );
    return row?.expires_at == null ? undefined : new Date(row.expires_at);
  }

  async get(id: string): Promise<AccessRequest> {
    const row = await this.store.get<RequestRow>(
      `SELECT ${requestColumns} FROM access_requests WHERE id = $1`,
      [id],
    );
    if (row === undefined) throw requestNotFound(id);
    return fromRow(row);
  }

  async list(options: { cluster?: string; states?: readonly RequestState[] } = {}): Promise<AccessRequest[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (options.cluster !== undefined) {
      params.push(options.cluster);
      where.push(`cluster = $${params.length}`);
    }
    if (options.states !== undefined && options.states.length > 0) {
      const list = options.states.map((state) => {
        params.push(state);
        return `$${params.length}`;
      });
      where.push(`state IN (${list.join(', ')})`);
    }
    const rows = await this.store.all<RequestRow>(
      `SELECT ${requestColumns} FROM access_requests${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY created_at, id`,
      params,
    );
    return rows.map(fromRow);
  }

  /** The trail, oldest first; with `latest`, only the newest that many, newest first. */
  async auditTrail(
    options: { requestId?: string; cluster?: string; latest?: number } = {},
  ): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (options.requestId !== undefined) {
      params.push(options.requestId);
      where.push(`request_id = $${params.length}`);
    }
    if (options.cluster !== undefined) {
      params.push(options.cluster);
      where.push(`cluster = $${params.length}`);
    }
    const rows = await this.store.all<{
      id: string;
      at: string;
      request_id: string | null;
      cluster: string;
      actor: string;
      action: string;
      detail: string;
    }>(
      `SELECT id, at, request_id, cluster, actor, action, detail FROM access_audit${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ${options.latest === undefined ? 'ORDER BY at, id' : `ORDER BY at DESC, id DESC LIMIT ${Math.max(1, Math.floor(options.latest))}`}`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      ...(row.request_id === null ? {} : { requestId: row.request_id }),
      cluster: row.cluster,
      actor: row.actor,
      action: row.action,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }

  /** The mapping side of grants, for the IdentityMapper of one cluster's webhook. */
  grantLookup(cluster: string): GrantLookup {
    return async (identity, at) => {
      const rows = await this.store.all<{
        id: string;
        requester_arn: string;
        requester_user_id: string;
        expires_at: string;
      }>(
        `SELECT id, requester_arn, requester_user_id, expires_at FROM access_requests WHERE cluster = $1 AND state = 'active' AND expires_at > $2 AND requester_user_id = $3 ORDER BY id`,
        [cluster, at.toISOString(), identity.userId],
      );
      return rows
        .filter((row) => row.requester_arn.toLowerCase() === identity.arn.toLowerCase())
        .map((row): ActiveGrant => ({
          id: row.id,
          group: bindingFor({ requestId: row.id, level: 'view' }).group,
          expiresAt: new Date(row.expires_at),
        }));
    };
  }

  private async decidable(decision: Decision): Promise<AccessRequest> {
    const request = await this.get(decision.id);
    if (!isApprover(decision.actor, decision.policy)) {
      throw notAllowed(
        `${decision.actor.arn} is not an approver of cluster ${request.cluster}`,
        'Ask one of the approvers listed in the clusters catalog.',
      );
    }
    if (samePrincipal(request.requester, decision.actor)) {
      throw notAllowed('you cannot decide your own access request', 'Ask another approver.');
    }
    if (request.state !== 'pending') throw wrongState(request.id, request.state, 'pending');
    return request;
  }

  /** Mapping off first (the state change), then the binding. */
  private async end(
    request: AccessRequest,
    state: 'expired' | 'revoked',
    actor: string,
    rbac: RbacClient,
    note?: string,
    via: { via?: string } = {},
  ): Promise<AccessRequest> {
    const changed = await this.store.transaction(async (tx) => {
      const result = await tx.run(
        `UPDATE access_requests SET state = $1, ended_at = $2 WHERE id = $3 AND state = 'active'`,
        [state, this.now().toISOString(), request.id],
      );
      if (result.changes === 1) await this.audit(tx, request, actor, state, { note: note ?? null, ...via });
      return result.changes === 1;
    });
    if (!changed) return this.get(request.id);
    return this.removeBinding(request, actor, rbac);
  }

  private async removeBinding(
    request: AccessRequest,
    actor: string,
    rbac: RbacClient,
  ): Promise<AccessRequest> {
    try {
      await rbac.unbind(request.binding);
      await this.store.run(`UPDATE access_requests SET binding_state = 'removed' WHERE id = $1`, [
        request.id,
      ]);
      await this.audit(this.store, request, actor, 'unbound', { binding: request.binding.name });
    } catch (error) {
      // The mapping is already gone, so the leftover binding grants nothing; the next sweep retries.
      await this.store.run(`UPDATE access_requests SET binding_state = 'remove-failed' WHERE id = $1`, [
        request.id,
      ]);
      await this.audit(this.store, request, actor, 'unbind-failed', {
        binding: request.binding.name,
        error: (error as Error).message,
      });
    }
    return this.get(request.id);
  }

  /** An audit entry that is not a request's step (dashboard sign-ins, refused decisions). */
  async record(event: {
    cluster: string;
    requestId?: string;
    actor: string;
    action: string;
    detail: Record<string, unknown>;
  }): Promise<void> {
    await this.insertAudit(this.store, event);
  }

  private async audit(
    db: Pick<Store, 'run'>,
    request: AccessRequest,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.insertAudit(db, { cluster: request.cluster, requestId: request.id, actor, action, detail });
  }

  private async insertAudit(
    db: Pick<Store, 'run'>,
    event: {
      cluster: string;
      requestId?: string;
      actor: string;
      action: string;
      detail: Record<string, unknown>;
    },
  ): Promise<void> {
    const at = this.now().toISOString();
    auditSequence += 1;
    await db.run(
      `INSERT INTO access_audit (id, at, request_id, cluster, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        // Ordered within one instant by a sequence, unique across processes by the random tail.
        `${at}-${String(auditSequence).padStart(8, '0')}-${randomUUID().slice(0, 8)}`,
        at,
        event.requestId ?? null,
        event.cluster,
        event.actor,
        event.action,
        JSON.stringify(event.detail),
      ],
    );
  }
}

let auditSequence = 0;

function placeholders(count: number): string {
  return Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ');
}

function viaOf(decision: Decision): { via?: string } {
  return decision.via === undefined ? {} : { via: decision.via };
}

export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.userId === b.userId && a.arn.toLowerCase() === b.arn.toLowerCase();
}

/** An approver entry names a principal (paths ignored) or one exact assumed-role session ARN. */
export function isApprover(actor: Principal, policy: ClusterAccessPolicy): boolean {
  return policy.approvers.some((entry) => {
    if (entry.toLowerCase() === actor.arn.toLowerCase()) return true;
    try {
      return principalKey(entry) === principalKey(actor.canonicalArn);
    } catch {
      return false;
    }
  });
}
