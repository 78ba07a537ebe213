/**
 * The previews' records on both stores the server supports: SQLite (the default) and a real
 * throwaway PostgreSQL (`--database postgres://…`). Same migrations, same answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { startPostgres, type TestPostgres } from '../testing/postgres.js';
import { PreviewRecords, previewsMigrations } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'chartroom-previews-records-'));
let postgres: TestPostgres | undefined;
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function suite(name: string, open: () => Promise<Store>): void {
  describe(`preview records on ${name}`, () => {
    let store: Store;
    let records: PreviewRecords;
    beforeAll(async () => {
      store = await open();
      await store.migrate(previewsMigrations);
      records = new PreviewRecords(store);
    });
    afterAll(async () => {
      await store.close();
    });

    it('remembers each delivery once, and forgets one whose processing failed', async () => {
      expect(await records.firstDelivery('github', 'd-1')).toBe(true);
      expect(await records.firstDelivery('github', 'd-1')).toBe(false);
      expect(await records.firstDelivery('gitlab', 'd-1')).toBe(true);
      expect(await records.countDeliveries()).toBe(2);
      await records.forgetDelivery('github', 'd-1');
      expect(await records.firstDelivery('github', 'd-1')).toBe(true);
    });

    it('knows when a later push went on top of a commit', async () => {
      await records.recordPush({ app: 'webapp', branch: 'b', commit: 'c1' });
      await records.recordPush({ app: 'webapp', branch: 'b', commit: 'c2', before: 'c1' });
      await records.recordPush({ app: 'webapp', branch: 'b', commit: 'c2', before: 'c1' });
      expect(await records.pushedOnTop('webapp', 'b', 'c1')).toBe(true);
      expect(await records.pushedOnTop('webapp', 'b', 'c2')).toBe(false);
      expect(await records.pushedOnTop('other', 'b', 'c1')).toBe(false);
    });

    it('merges preview rows and keeps runs with their timings, newest first', async () => {
      await records.upsertPreview({
        namespace: 'webapp-b',
        app: 'webapp',
        repo: 'acme/webapp',
        branch: 'b',
        label: 'b',
        host: 'b.example.com',
        url: 'https://b.example.com/',
        release: 'webapp',
        status: 'queued',
        desired_commit: 'c2',
      });
      await records.upsertPreview({ namespace: 'webapp-b', status: 'ready', deployed_commit: 'c2' });
      expect(await records.preview('webapp-b')).toMatchObject({
        branch: 'b',
        status: 'ready',
        desired_commit: 'c2',
        deployed_commit: 'c2',
      });
      const first = await records.startRun({
        namespace: 'webapp-b',
        app: 'webapp',
        branch: 'b',
        commit: 'c1',
        kind: 'deploy',
        reason: 'new branch',
        receivedAt: null,
      });
      await records.updateRun(first, {
        result: 'succeeded',
        timings: { helm: 4200, total: 6100 },
        log: 'line one\nline two',
        finished: true,
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await records.startRun({
        namespace: 'webapp-b',
        app: 'webapp',
        branch: 'b',
        commit: 'c2',
        kind: 'deploy',
        reason: 'push',
        receivedAt: null,
      });
      // A server that dies leaves its run "running"; the next start marks it abandoned.
      expect(await records.abandonRunning()).toBe(1);
      const runs = await records.runs('webapp-b');
      expect(runs.map((run) => [run.id, run.result])).toEqual([
        [second, 'abandoned'],
        [first, 'succeeded'],
      ]);
      expect((await records.run(first))?.timings).toEqual({ helm: 4200, total: 6100 });
      expect((await records.run(first))?.log).toBe('line one\nline two');
    });
  });
}

suite('SQLite', () => openStore({ dataDir: dir }));
suite('PostgreSQL', async () => {
  postgres = await startPostgres();
  return openStore({ url: postgres.url });
});
