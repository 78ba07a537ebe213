import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { runExpiryLoop } from './expiry.js';
import type { GrantBinding, RbacClient } from './rbac.js';
import { AccessRequests } from './service.js';
import type { AccessRequest } from './types.js';

describe('runExpiryLoop', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('ends a grant when its time comes (not at the next fixed tick) and stops on abort', async () => {
    // A clock that runs 59 minutes ahead once the grant is approved: expiry is a second away.
    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    const service = await AccessRequests.open({ store, now });
    const unbound: string[] = [];
    const rbac: RbacClient = {
      bind: () => Promise.resolve(),
      unbind: (binding: GrantBinding) => {
        unbound.push(binding.name);
        return Promise.resolve();
      },
    };
    const policy = { approvers: ['arn:aws:iam::111122223333:user/lead'], maxDurationSeconds: 3600 };
    const requester = {
      arn: 'arn:aws:iam::111122223333:user/dev',
      canonicalArn: 'arn:aws:iam::111122223333:user/dev',
      userId: 'AIDADEV',
    };
    const lead = {
      arn: 'arn:aws:iam::111122223333:user/lead',
      canonicalArn: 'arn:aws:iam::111122223333:user/lead',
      userId: 'AIDALEAD',
    };
    const request = await service.request({
      cluster: 'c',
      level: 'view',
      durationSeconds: 3600,
      reason: 'r',
      requester,
      policy,
    });
    await service.approve({ id: request.id, actor: lead, policy, rbac });
    offset = 3600_000 - 1000;
    const controller = new AbortController();
    const ended: AccessRequest[] = [];
    const started = Date.now();
    const loop = runExpiryLoop({
      requests: service,
      cluster: 'c',
      rbac,
      signal: controller.signal,
      now,
      maxSleepMs: 60_000,
      onExpired: (r) => ended.push(r),
    });
    await expect.poll(() => ended.length, { timeout: 10_000, interval: 50 }).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ended[0]).toMatchObject({ id: request.id, state: 'expired', bindingState: 'removed' });
    expect(unbound).toEqual([`chartroom-grant-${request.id}`]);
    controller.abort();
    await loop;
  });
});
