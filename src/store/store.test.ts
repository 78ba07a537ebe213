import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../testing/postgres.js';
import { openStore, type Migration, type Store } from './index.js';

const migrations: Migration[] = [
  {
    id: 'test-001-things',
    sql: `CREATE TABLE things (id TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER, at TEXT);
          CREATE INDEX things_name ON things (name);`,
  },
  { id: 'test-002-weight', sql: 'ALTER TABLE things ADD COLUMN weight REAL' },
];

function suite(name: string, open: () => Promise<Store>) {
  describe(`store on ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('applies migrations once, in order', async () => {
      expect(await store.migrate(migrations)).toEqual(['test-001-things', 'test-002-weight']);
      expect(await store.migrate(migrations)).toEqual([]);
    });

    it('runs portable SQL with $n placeholders, upserts and RETURNING', async () => {
      await store.run('INSERT INTO things (id, name, size, at, weight) VALUES ($1, $2, $3, $4, $5)', [
        'a',
        'alpha',
        3,
        '2026-01-01T00:00:00Z',
        1.5,
      ]);
      await store.run(
        `INSERT INTO things (id, name, size) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET size = things.size + excluded.size`,
        ['a', 'alpha', 4],
      );
      const row = await store.get<{ id: string; size: number; weight: number }>(
        'SELECT id, size, weight FROM things WHERE id = $1 AND name = $2',
        ['a', 'alpha'],
      );
      expect(row).toEqual({ id: 'a', size: 7, weight: 1.5 });
      const inserted = await store.all<{ id: string }>(
        'INSERT INTO things (id, name) VALUES ($1, $2), ($3, $2) RETURNING id',
        ['b', 'beta', 'c'],
      );
      expect(inserted.map((r) => r.id).sort()).toEqual(['b', 'c']);
      const counts = await store.all<{ name: string; n: number }>(
        'SELECT name, CAST(COUNT(*) AS INTEGER) AS n FROM things GROUP BY name ORDER BY name',
      );
      expect(counts).toEqual([
        { name: 'alpha', n: 1 },
        { name: 'beta', n: 2 },
      ]);
      expect(await store.get('SELECT id FROM things WHERE id = $1', ['zzz'])).toBeUndefined();
      expect((await store.run('DELETE FROM things WHERE name = $1', ['beta'])).changes).toBe(2);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await store.transaction(async (tx) => {
        await tx.run('INSERT INTO things (id, name) VALUES ($1, $2)', ['t1', 'tx']);
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.run('INSERT INTO things (id, name) VALUES ($1, $2)', ['t2', 'tx']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const rows = await store.all<{ id: string }>('SELECT id FROM things WHERE name = $1', ['tx']);
      expect(rows.map((r) => r.id)).toEqual(['t1']);
    });

    it('keeps concurrent transactions apart: a failing one undoes only itself', async () => {
      await store.run('INSERT INTO things (id, name, size) VALUES ($1, $2, $3)', ['counter', 'c', 0]);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) =>
          store.transaction(async (tx) => {
            await tx.run('UPDATE things SET size = size + 1 WHERE id = $1', ['counter']);
            await tx.run('INSERT INTO things (id, name) VALUES ($1, $2)', [`n${index}`, 'concurrent']);
            if (index % 5 === 0) throw new Error(`fail ${index}`);
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
      const row = await store.get<{ size: number }>('SELECT size FROM things WHERE id = $1', ['counter']);
      expect(row?.size).toBe(16);
      const inserted = await store.get<{ n: number }>(
        'SELECT CAST(COUNT(*) AS INTEGER) AS n FROM things WHERE name = $1',
        ['concurrent'],
      );
      expect(inserted?.n).toBe(16);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'chartroom-store-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
suite('SQLite', () => openStore({ dataDir: dir }));

let postgres: TestPostgres | undefined;
afterAll(async () => {
  await postgres?.stop();
});
suite('PostgreSQL', async () => {
  postgres = await startPostgres();
  return openStore({ url: postgres.url });
});

describe('openStore', () => {
  it('refuses an unknown database URL with a hint', async () => {
    await expect(openStore({ url: 'mysql://x' })).rejects.toMatchObject({
      code: 'config-invalid',
      exitCode: 3,
    });
  });

  it('says a data folder that is a file, or a file that is no database, is the setting at fault', async () => {
    const file = join(dir, 'not-a-db');
    writeFileSync(file, Buffer.alloc(4096, 0x29));
    await expect(openStore({ dataDir: file })).rejects.toMatchObject({
      message: `expected a folder but found a file: ${file}`,
      exitCode: 2,
    });
    await expect(openStore({ url: `sqlite:${file}` })).rejects.toMatchObject({
      message: `${file} is not a SQLite database`,
      exitCode: 3,
    });
    await expect(openStore({ url: `sqlite:${dir}` })).rejects.toMatchObject({
      message: `cannot open the SQLite database ${dir}`,
      exitCode: 3,
    });
  });
});
