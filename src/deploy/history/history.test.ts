import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { DeployHistory } from './history.js';

let store: Store;
beforeEach(async () => {
  store = await openStore({ url: 'sqlite::memory:' });
});
afterEach(async () => {
  await store.close();
});

const entry = {
  app: 'webapp',
  env: 'staging',
  release: 'webapp',
  namespace: 'webapp-staging',
  cluster: 'https://127.0.0.1:6443',
  chart: 'webapp-0.1.0',
  commit: '0123456789abcdef0123456789abcdef01234567',
  valuesDigest: 'ab'.repeat(32),
  who: 'alice@laptop',
  recovery: null,
};

describe('deploy history', () => {
  it('records a deploy at its start and completes it at its end', async () => {
    const history = await DeployHistory.open(store);
    const id = await history.start({ ...entry, startedAt: '2026-11-26T10:00:00.000Z' });
    expect((await history.list())[0]).toMatchObject({
      id,
      result: 'running',
      revision: null,
      durationMs: null,
    });
    const diagnosis = {
      class: 'crash-loop' as const,
      summary: 'Deployment/webapp: crash loop',
      message: 'exited with code 1',
      hint: 'fix it',
      visibleAt: '2026-11-26T10:00:05.000Z',
      detectedAt: '2026-11-26T10:00:05.100Z',
    };
    await history.finish(id, {
      result: 'failed',
      revision: 7,
      diagnosis,
      finishedAt: new Date('2026-11-26T10:00:06Z'),
      durationMs: 6000,
    });
    expect((await history.list({ app: 'webapp', env: 'staging' }))[0]).toMatchObject({
      result: 'failed',
      revision: 7,
      durationMs: 6000,
      diagnosis,
    });
  });

  it('marks deploys of a release that never finished as abandoned, and filters and orders', async () => {
    const history = await DeployHistory.open(store);
    const killed = await history.start({ ...entry, startedAt: '2026-11-26T10:00:00.000Z' });
    const other = await history.start({ ...entry, release: 'other', startedAt: '2026-11-26T10:01:00.000Z' });
    const next = await history.start({ ...entry, startedAt: '2026-11-26T10:02:00.000Z' });
    expect(
      await history.markAbandoned({
        cluster: entry.cluster,
        namespace: entry.namespace,
        release: 'webapp',
        exceptId: next,
      }),
    ).toBe(1);
    const rows = await history.list({ release: 'webapp' });
    expect(rows.map((r) => [r.id, r.result])).toEqual([
      [next, 'running'],
      [killed, 'abandoned'],
    ]);
    expect((await history.list({ limit: 1 })).map((r) => r.id)).toEqual([next]);
    expect((await history.list({ release: 'other' }))[0]?.id).toBe(other);
  });

  it('never stores values: only their digest', async () => {
    const history = await DeployHistory.open(store);
    await history.start({ ...entry, startedAt: '2026-11-26T10:00:00.000Z' });
    const columns = (
      await store.all<{ name: string }>("SELECT name FROM pragma_table_info('deploy_history')")
    ).map((c) => c.name);
    expect(columns).toContain('values_digest');
    expect(columns.filter((c) => /values/.test(c))).toEqual(['values_digest']);
  });
});
