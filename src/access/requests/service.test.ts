import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import type { CallerIdentity } from '../verify/identity.js';
import type { GrantBinding, RbacClient } from './rbac.js';
import { AccessRequests } from './service.js';
import type { Principal } from './types.js';

/** Records what the service asks of the cluster (the real cluster is exercised in test/e2e). */
class RecordingRbac implements RbacClient {
  readonly bound = new Map<string, GrantBinding>();
  failUnbind = false;
  bind(binding: GrantBinding): Promise<void> {
    this.bound.set(binding.name, binding);
    return Promise.resolve();
  }
  unbind(binding: GrantBinding): Promise<void> {
    if (this.failUnbind) return Promise.reject(new Error('connection refused'));
    this.bound.delete(binding.name);
    return Promise.resolve();
  }
}

const dev: Principal = {
  arn: 'arn:aws:sts::111122223333:assumed-role/Developers/bob@example.com',
  canonicalArn: 'arn:aws:iam::111122223333:role/Developers',
  userId: 'AROADEV',
};
const lead: Principal = {
  arn: 'arn:aws:iam::111122223333:user/alice',
  canonicalArn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAALICE',
};
const policy = { approvers: ['arn:aws:iam::111122223333:user/ops/alice'], maxDurationSeconds: 12 * 3600 };
const identityOf = (p: Principal): CallerIdentity => ({
  arn: p.arn,
  canonicalArn: p.canonicalArn,
  userId: p.userId,
  accountId: '111122223333',
  sessionName: '',
  accessKeyId: 'A',
  stsEndpoint: 's',
});

describe('AccessRequests', () => {
  let store: Store;
  let clock: Date;
  let service: AccessRequests;
  let rbac: RecordingRbac;

  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    clock = new Date('2024-06-01T09:00:00Z');
    service = await AccessRequests.open({ store, now: () => clock });
    rbac = new RecordingRbac();
  });
  afterEach(async () => {
    await store.close();
  });

  const ask = () =>
    service.request({
      cluster: 'prod',
      level: 'edit',
      namespace: 'team-a',
      durationSeconds: 8 * 3600,
      reason: 'debug the checkout',
      requester: dev,
      policy,
    });

  it('grants on approval (binding + mapping) and expires both on time', async () => {
    const request = await ask();
    expect(request.state).toBe('pending');
    const lookup = service.grantLookup('prod');
    expect(await lookup(identityOf(dev), clock)).toEqual([]);

    const approved = await service.approve({ id: request.id, actor: lead, policy, rbac, note: 'ok' });
    expect(approved).toMatchObject({
      state: 'active',
      expiresAt: '2024-06-01T17:00:00.000Z',
      bindingState: 'bound',
      decidedBy: lead.arn,
    });
    expect([...rbac.bound.values()]).toEqual([
      {
        name: `chartroom-grant-${request.id}`,
        namespace: 'team-a',
        clusterRole: 'edit',
        group: `chartroom:grant:${request.id}`,
        requestId: request.id,
      },
    ]);
    expect(await lookup(identityOf(dev), clock)).toEqual([
      { id: request.id, group: `chartroom:grant:${request.id}`, expiresAt: new Date('2024-06-01T17:00:00Z') },
    ]);
    // Another session of the same role is someone else.
    expect(await lookup({ ...identityOf(dev), arn: dev.arn.replace('bob@', 'eve@') }, clock)).toEqual([]);

    // At the second of expiry the mapping is gone even before the sweeper runs.
    expect(await lookup(identityOf(dev), new Date('2024-06-01T17:00:00Z'))).toEqual([]);
    expect(await service.nextExpiry('prod')).toEqual(new Date('2024-06-01T17:00:00Z'));
    clock = new Date('2024-06-01T17:00:00Z');
    const ended = await service.expire({ cluster: 'prod', rbac });
    expect(ended.map((r) => [r.id, r.state, r.bindingState])).toEqual([[request.id, 'expired', 'removed']]);
    expect(rbac.bound.size).toBe(0);
    expect(await service.nextExpiry('prod')).toBeUndefined();

    const trail = await service.auditTrail({ requestId: request.id });
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['requested', dev.arn],
      ['approved', lead.arn],
      ['bound', lead.arn],
      ['expired', 'chartroom'],
      ['unbound', 'chartroom'],
    ]);
    expect(trail[0]?.detail).toEqual({
      level: 'edit',
      namespace: 'team-a',
      duration: '8h',
      reason: 'debug the checkout',
    });
  });

  it('lets only approvers decide, never on their own request, and only once', async () => {
    const request = await ask();
    await expect(service.approve({ id: request.id, actor: dev, policy, rbac })).rejects.toMatchObject({
      code: 'access-not-allowed',
    });
    const own = await service.request({
      cluster: 'prod',
      level: 'view',
      durationSeconds: 3600,
      reason: 'look',
      requester: lead,
      policy,
    });
    await expect(service.approve({ id: own.id, actor: lead, policy, rbac })).rejects.toThrow(
      'you cannot decide your own access request',
    );
    await service.deny({ id: request.id, actor: lead, policy, rbac, note: 'use staging' });
    await expect(service.approve({ id: request.id, actor: lead, policy, rbac })).rejects.toMatchObject({
      code: 'access-request-state',
    });
    expect(rbac.bound.size).toBe(0);
    expect((await service.list({ states: ['pending'] })).map((r) => r.id)).toEqual([own.id]);
  });

  it('revokes early, and retries a binding removal that failed', async () => {
    const request = await ask();
    await service.approve({ id: request.id, actor: lead, policy, rbac });
    rbac.failUnbind = true;
    const revoked = await service.revoke({ id: request.id, actor: dev, policy, rbac });
    expect(revoked).toMatchObject({ state: 'revoked', bindingState: 'remove-failed' });
    expect(await service.grantLookup('prod')(identityOf(dev), clock)).toEqual([]);
    rbac.failUnbind = false;
    const retried = await service.expire({ cluster: 'prod', rbac });
    expect(retried.map((r) => r.bindingState)).toEqual(['removed']);
    expect(rbac.bound.size).toBe(0);
    const actions = (await service.auditTrail({ requestId: request.id })).map((e) => e.action);
    expect(actions).toEqual(['requested', 'approved', 'bound', 'revoked', 'unbind-failed', 'unbound']);
  });

  it('refuses bad requests with a hint', async () => {
    const base = {
      cluster: 'prod',
      level: 'edit' as const,
      durationSeconds: 3600,
      reason: 'x',
      requester: dev,
      policy,
    };
    await expect(service.request({ ...base, durationSeconds: 13 * 3600 })).rejects.toThrow(
      'a grant on prod lasts between 1m and 12h',
    );
    await expect(service.request({ ...base, namespace: 'Team_A' })).rejects.toThrow('invalid namespace');
    await expect(service.request({ ...base, reason: '  ' })).rejects.toThrow('a reason is required');
    await expect(service.get('nope')).rejects.toMatchObject({ code: 'access-request-not-found' });
  });
});
