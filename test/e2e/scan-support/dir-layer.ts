/**
 * Packs a folder (or the difference between two folders) into an image layer tar with tar-stream,
 * the way a container build writes one: regular files, folders and symlinks with their owners
 * and modes; deleted paths as `.wh.<name>` whiteout entries. Test and benchmark support only.
 */
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

type Entry = { path: string; stat: Stats };

function walk(root: string, relative = ''): Entry[] {
  const entries: Entry[] = [];
  for (const name of readdirSync(join(root, relative)).sort()) {
    const path = relative === '' ? name : `${relative}/${name}`;
    const stat = lstatSync(join(root, path));
    if (stat.isDirectory()) entries.push({ path, stat }, ...walk(root, path));
    else if (stat.isFile() || stat.isSymbolicLink()) entries.push({ path, stat });
    // Device nodes, sockets and fifos do not belong in an image layer.
  }
  return entries;
}

function sameEntry(root: string, path: string, a: Stats, b: Stats, otherRoot: string): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.isDirectory()) return b.isDirectory();
  if (a.isSymbolicLink())
    return b.isSymbolicLink() && readlinkSync(join(root, path)) === readlinkSync(join(otherRoot, path));
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export interface PackOptions {
  /** Only the changes from this folder to `dir`: changed entries, plus whiteouts for deletions. */
  lower?: string;
  exclude?: (path: string) => boolean;
}

export async function packLayer(dir: string, out: string, options: PackOptions = {}): Promise<void> {
  const exclude = options.exclude ?? (() => false);
  const upper = walk(dir).filter((entry) => !exclude(entry.path));
  let entries = upper;
  const whiteouts: string[] = [];
  const lowerRoot = options.lower;
  if (lowerRoot !== undefined) {
    const lower = new Map(walk(lowerRoot).map((entry) => [entry.path, entry.stat]));
    const upperPaths = new Set(upper.map((entry) => entry.path));
    entries = upper.filter((entry) => {
      const before = lower.get(entry.path);
      return before === undefined || !sameEntry(dir, entry.path, entry.stat, before, lowerRoot);
    });
    for (const path of lower.keys()) {
      if (upperPaths.has(path) || exclude(path)) continue;
      // One whiteout for a deleted folder covers everything below it.
      const parent = posix.dirname(path);
      if (parent !== '.' && !upperPaths.has(parent)) continue;
      whiteouts.push(path);
    }
  }
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(out));
  for (const { path, stat } of entries) {
    const common = { name: path, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtime: stat.mtime };
    if (stat.isDirectory()) await add(pack, { ...common, type: 'directory' });
    else if (stat.isSymbolicLink())
      await add(pack, { ...common, type: 'symlink', linkname: readlinkSync(join(dir, path)) });
    else await add(pack, { ...common, type: 'file', size: stat.size }, join(dir, path));
  }
  for (const path of whiteouts) {
    await add(pack, {
      name: posix.join(dirname(path) === '.' ? '' : posix.dirname(path), `.wh.${posix.basename(path)}`),
      type: 'file',
      size: 0,
      mode: 0o644,
    });
  }
  pack.finalize();
  await written;
}

function add(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0], file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null): void => {
      if (error) reject(error);
      else resolve();
    };
    if (file === undefined) {
      pack.entry(header, '', done);
      return;
    }
    const entry = pack.entry(header, done);
    createReadStream(file).on('error', reject).pipe(entry);
  });
}
