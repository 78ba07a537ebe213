import { describe, expect, it } from 'vitest';
import type { V1Pod, V1PodDisruptionBudget } from '../../kube/index.js';
import { filterPods } from './filters.js';
import { budgetsFor, selects, viewBudget } from './pdb.js';
import { criticalReleased, evictionOrder, fitGrace } from './schedule.js';

function pod(
  name: string,
  extra: {
    owner?: string;
    spec?: V1Pod['spec'];
    annotations?: Record<string, string>;
    phase?: string;
    deleted?: string;
    labels?: Record<string, string>;
  } = {},
): V1Pod {
  const [kind, ownerName] = (extra.owner ?? 'ReplicaSet/web').split('/');
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: extra.labels ?? {},
      ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }),
      ...(extra.owner === 'none'
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: kind ?? '', name: ownerName ?? '', uid: 'u', controller: true },
            ],
          }),
      ...(extra.deleted === undefined ? {} : { deletionTimestamp: new Date(extra.deleted) }),
    },
    spec: Object.assign({ containers: [{ name: 'app' }] }, extra.spec),
    status: { phase: extra.phase ?? 'Running' },
  };
}

const filterOptions = (overrides: Partial<Parameters<typeof filterPods>[1]> = {}) => ({
  deleteEmptyDirData: false,
  force: false,
  skipWaitForDeleteTimeoutSeconds: 0,
  now: Date.parse('2026-01-01T00:10:00Z'),
  daemonSetExists: (_ns: string, name: string) => Promise.resolve(name !== 'gone'),
  ...overrides,
});

describe("kubectl drain's filters", () => {
  it('skips DaemonSet and mirror pods, refuses emptyDir and unmanaged pods without the flags', async () => {
    const result = await filterPods(
      [
        pod('web-1'),
        pod('agent-x', { owner: 'DaemonSet/agent' }),
        pod('static', { owner: 'Node/n1', annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
        pod('cache', { spec: { containers: [{ name: 'c' }], volumes: [{ name: 'v', emptyDir: {} }] } }),
        pod('lonely', { owner: 'none' }),
        pod('orphan', { owner: 'DaemonSet/gone' }),
        pod('done', { owner: 'none', phase: 'Succeeded' }),
      ],
      filterOptions(),
    );
    expect(result.evict.map((p) => p.metadata?.name)).toEqual(['web-1', 'done']);
    expect(result.skipped.map((p) => p.name)).toEqual(['agent-x', 'static']);
    expect(result.refused.map((p) => [p.name, p.reason])).toEqual([
      ['cache', expect.stringContaining('--delete-emptydir-data')],
      ['lonely', expect.stringContaining('--force')],
      ['orphan', expect.stringContaining('no longer exists')],
    ]);
  });

  it('evicts them with the flags, with warnings naming them', async () => {
    const result = await filterPods(
      [
        pod('cache', { spec: { containers: [{ name: 'c' }], volumes: [{ name: 'v', emptyDir: {} }] } }),
        pod('lonely', { owner: 'none' }),
        pod('orphan', { owner: 'DaemonSet/gone' }),
      ],
      filterOptions({ deleteEmptyDirData: true, force: true }),
    );
    expect(result.refused).toEqual([]);
    expect(result.evict.map((p) => p.metadata?.name)).toEqual(['cache', 'lonely', 'orphan']);
    expect(result.warnings.join('\n')).toMatch(/emptyDir data: ns\/cache[\s\S]*controller: ns\/lonely/);
  });

  it('waits for pods already terminating, unless deleted longer ago than the skip timeout', async () => {
    const result = await filterPods(
      [pod('recent', { deleted: '2026-01-01T00:09:50Z' }), pod('old', { deleted: '2026-01-01T00:00:00Z' })],
      filterOptions({ skipWaitForDeleteTimeoutSeconds: 60 }),
    );
    expect(result.terminating.map((p) => p.metadata?.name)).toEqual(['recent']);
    expect(result.skipped[0]).toMatchObject({ name: 'old', reason: 'deleted 600s ago; not waited for' });
  });
});

describe('deadline planning', () => {
  it('orders critical pods last, then by priority, longest grace first', () => {
    const ordered = evictionOrder([
      pod('dns', { spec: { containers: [], priority: 2_000_000_000, terminationGracePeriodSeconds: 30 } }),
      pod('batch', { spec: { containers: [], priority: -10 } }),
      pod('slow', { spec: { containers: [], terminationGracePeriodSeconds: 90 } }),
      pod('fast', { spec: { containers: [], terminationGracePeriodSeconds: 5 } }),
    ]);
    expect(ordered.map((p) => p.metadata?.name)).toEqual(['batch', 'slow', 'fast', 'dns']);
  });

  it('cuts a grace period to what is left before the deadline, never below 1s', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(fitGrace(30, now, undefined)).toEqual({ gracePeriodSeconds: 30 });
    expect(fitGrace(30, now, new Date(now + 100_000))).toEqual({ gracePeriodSeconds: 30 });
    expect(fitGrace(300, now, new Date(now + 45_500))).toEqual({
      gracePeriodSeconds: 45,
      shortenedFrom: 300,
    });
    expect(fitGrace(30, now, new Date(now + 800))).toBeUndefined();
  });

  it('lets critical pods go when the others are gone, or when only their grace is left', () => {
    const now = 0;
    expect(criticalReleased({ othersRemaining: 0, now, deadline: undefined, criticalGraceSeconds: 30 })).toBe(
      true,
    );
    expect(criticalReleased({ othersRemaining: 3, now, deadline: undefined, criticalGraceSeconds: 30 })).toBe(
      false,
    );
    expect(
      criticalReleased({ othersRemaining: 3, now, deadline: new Date(60_000), criticalGraceSeconds: 30 }),
    ).toBe(false);
    expect(
      criticalReleased({ othersRemaining: 3, now, deadline: new Date(35_000), criticalGraceSeconds: 30 }),
    ).toBe(true);
  });
});

describe('PodDisruptionBudgets', () => {
  const budget = (
    name: string,
    selector: V1PodDisruptionBudget['spec'],
    status: V1PodDisruptionBudget['status'],
  ): V1PodDisruptionBudget => ({
    metadata: { name, namespace: 'ns' },
    spec: selector,
    status,
  });

  it('matches pods by label selector (empty selects all, missing selects none)', () => {
    expect(selects({ matchLabels: { app: 'api' } }, { app: 'api', tier: 'x' })).toBe(true);
    expect(selects({ matchLabels: { app: 'api' } }, { app: 'web' })).toBe(false);
    expect(
      selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }),
    ).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {})).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {})).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {})).toBe(true);
    expect(selects({}, { any: 'thing' })).toBe(true);
    expect(selects(undefined, { any: 'thing' })).toBe(false);
    const budgets = [
      budget('api', { selector: { matchLabels: { app: 'api' } } }, {} as never),
      budget('all', { selector: {} }, {} as never),
    ];
    expect(
      budgetsFor(pod('api-1', { labels: { app: 'api' } }), budgets).map((b) => b.metadata?.name),
    ).toEqual(['api', 'all']);
  });

  it('explains why a budget says no: waiting for replacements, or never', () => {
    const waiting = viewBudget(
      budget(
        'api',
        { minAvailable: 2 },
        { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 },
      ),
    );
    expect(waiting.neverAllows).toBe(false);
    expect(waiting.why).toBe(
      '2 of 3 pods healthy and minAvailable 2 needs 2: waiting for replacements to become ready',
    );
    const never = viewBudget(
      budget(
        'db',
        { maxUnavailable: 0 },
        { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
      ),
    );
    expect(never.neverAllows).toBe(true);
    expect(never.why).toMatch(
      /^maxUnavailable 0 requires all 2 pods healthy, so it never allows an eviction/,
    );
  });
});
