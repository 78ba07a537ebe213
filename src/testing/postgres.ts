import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../core/net.js';

/** A throwaway PostgreSQL server on loopback, for tests that run the store against the real thing. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

const pgBin = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find(
  (dir) => existsSync(join(dir, 'initdb')),
);

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<TestPostgres> {
  if (pgBin === undefined)
    throw new Error('PostgreSQL server binaries not found (Debian package postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-pg-'));
  chmodSync(dir, 0o777);
  // PostgreSQL refuses to run as root; run it as the postgres system user when we are root.
  const asUser = process.getuid?.() === 0 ? postgresUser() : {};
  const exec = (bin: string, args: string[]): string =>
    execFileSync(join(pgBin, bin), args, { stdio: 'pipe', ...asUser }).toString();
  exec('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const args = ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off'];
  const server: ChildProcess = spawn(join(pgBin, 'postgres'), args, { stdio: 'ignore', ...asUser });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      exec('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('PostgreSQL did not become ready in 30s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    url,
    stop: async () => {
      // SIGINT is PostgreSQL's "fast shutdown".
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
