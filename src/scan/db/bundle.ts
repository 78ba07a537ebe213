/**
 * `scan db export FILE` / `scan db import FILE`: the DB and its manifest as one .tar.gz for
 * air-gapped CI. The bundle names the DB's sha256; import checks it and the schema, and only then
 * replaces the installed DB.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { UsageError } from '../../core/errors.js';
import { ScanError } from '../errors.js';
import type { DbManifest } from './types.js';
import { schemaVersion, VulnDb } from './vulndb.js';

const format = 'chartroom-scan-db';

interface BundleInfo {
  format: string;
  schema: number;
  sha256: string;
  bytes: number;
  manifest: DbManifest;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function exportDb(dbPath: string, file: string): Promise<BundleInfo> {
  const db = VulnDb.open(dbPath);
  const manifest = db.manifest();
  db.close();
  const data = readFileSync(dbPath);
  const info: BundleInfo = {
    format,
    schema: schemaVersion,
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
    manifest,
  };
  const pack = tar.pack();
  pack.entry({ name: 'bundle.json' }, JSON.stringify(info, null, 2));
  pack.entry({ name: 'vuln.db', size: data.length }, data);
  pack.finalize();
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await pipeline(pack as unknown as Readable, createGzip(), createWriteStream(temp));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return info;
}

function badBundle(file: string, why: string, cause?: unknown): ScanError {
  return new ScanError(`${file} is not a usable DB bundle: ${why}`, {
    code: 'db-bundle-invalid',
    hint: 'Create bundles with `chartroom scan db export FILE`; the installed DB is unchanged.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Opens the bundle before anything is extracted: a missing, unreadable or folder path is the
 * user's error, named with its path (an error of a stream's own open reached no listener and
 * crashed the process).
 */
async function openBundle(file: string): Promise<FileHandle> {
  const handle = await open(file, 'r');
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new UsageError(
      `${file} is a folder, not a DB bundle`,
      'Pass the .tar.gz file written by `chartroom scan db export FILE`.',
    );
  }
  return handle;
}

export async function importDb(file: string, dbPath: string): Promise<BundleInfo> {
  const input = await openBundle(file);
  mkdirSync(dirname(dbPath), { recursive: true });
  const temp = `${dbPath}.${process.pid}.import`;
  let info: BundleInfo | undefined;
  try {
    const extract = tar.extract();
    const raw = input.createReadStream();
    const source = raw.pipe(createGunzip());
    raw.on('error', (error) => source.destroy(error));
    source.on('error', (error) => {
      extract.destroy(error);
    });
    source.pipe(extract);
    for await (const entry of extract) {
      if (entry.header.name === 'bundle.json') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        info = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BundleInfo;
      } else if (entry.header.name === 'vuln.db') {
        await pipeline(Readable.from(entry), createWriteStream(temp));
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof ScanError) throw error;
    throw badBundle(file, (error as Error).message, error);
  }
  try {
    if (info?.format !== format) throw badBundle(file, 'no bundle.json of a Chartroom scan DB');
    if (info.schema !== schemaVersion)
      throw badBundle(file, `schema ${info.schema}, this Chartroom reads ${schemaVersion}`);
    if (!existsSync(temp)) throw badBundle(file, 'it holds no vuln.db');
    const actual = sha256File(temp);
    if (actual !== info.sha256)
      throw badBundle(file, `the DB's sha256 is ${actual}, the bundle says ${info.sha256}`);
    VulnDb.open(temp).close();
    renameSync(temp, dbPath);
    return info;
  } finally {
    rmSync(temp, { force: true });
  }
}
