/**
 * A real Debian bookworm image for the scan acceptance test and benchmark, built once with
 * debootstrap and kept in the Chartroom cache under a version key:
 *
 *   layer 1: `debootstrap --variant=minbase --include=libapparmor1,apparmor bookworm`
 *   layer 2: `dpkg --purge apparmor` on top of it (new dpkg status, whiteouts for its files)
 *
 * The merged root filesystem (`rootfs/`) is kept too, so tests can ask the real `dpkg-query`.
 * Change `version` to rebuild.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, findPeer } from '../../../src/core/peers.js';
import { packLayer } from './dir-layer.js';

const run = promisify(execFile);
export const bookwormVersion = 'bookworm-minbase-apparmor-v1';
const mirror = 'http://deb.debian.org/debian';

export interface BookwormImage {
  dir: string;
  /** The merged root filesystem (after layer 2). */
  rootfs: string;
  /** Uncompressed layer tars, bottom first. */
  layers: string[];
}

// debootstrap's chroot helpers and the image's own paths we do not want in a layer.
const skip = (path: string): boolean =>
  /^(dev|proc|sys|run)\//.test(path) ||
  path.startsWith('var/cache/apt/archives/') ||
  path.startsWith('var/lib/apt/lists/') ||
  path.startsWith('debootstrap/');

export async function ensureBookwormImage(log: (line: string) => void = () => {}): Promise<BookwormImage> {
  const dir = join(cacheRoot(), 'scan', 'images', bookwormVersion);
  const image: BookwormImage = {
    dir,
    rootfs: join(dir, 'rootfs'),
    layers: [join(dir, 'layer1.tar'), join(dir, 'layer2.tar')],
  };
  if (existsSync(join(dir, 'done'))) return image;
  const debootstrap = findPeer('debootstrap');
  if (debootstrap === undefined)
    throw new Error('debootstrap is missing: run `npm run peers -- --only scan-tools`');
  const work = `${dir}.work`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const base = join(work, 'base');
  log(`debootstrap bookworm into ${base} (a few minutes, once)`);
  await run(debootstrap, ['--variant=minbase', '--include=libapparmor1,apparmor', 'bookworm', base, mirror], {
    maxBuffer: 64 * 1024 * 1024,
  });
  // What docker's debian images also leave out: downloaded .debs and apt lists.
  rmSync(join(base, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(base, 'var/cache/apt/archives/partial'), { recursive: true });
  rmSync(join(base, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(base, 'var/lib/apt/lists/partial'), { recursive: true });
  log('packing layer 1');
  await packLayer(base, join(work, 'layer1.tar'), { exclude: skip });
  const rootfs = join(work, 'rootfs');
  await run('cp', ['-a', base, rootfs]);
  log('dpkg --purge apparmor for layer 2');
  await run('dpkg', [`--root=${rootfs}`, '--purge', 'apparmor'], { maxBuffer: 16 * 1024 * 1024 });
  await packLayer(rootfs, join(work, 'layer2.tar'), { lower: base, exclude: skip });
  rmSync(base, { recursive: true, force: true });
  writeFileSync(join(work, 'done'), new Date().toISOString() + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return image;
}
