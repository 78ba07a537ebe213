/**
 * The only paths the scanner keeps from a layer: OS release files and package databases. Matching
 * is on the normalised path (no leading `./` or `/`).
 */
const exact = new Set([
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/debian_version',
  'etc/lsb-release',
  'etc/apk/repositories',
  'var/lib/dpkg/status',
  'lib/apk/db/installed',
  'usr/lib/apk/db/installed',
]);

/** distroless keeps one dpkg stanza per file in status.d (plus `<pkg>.md5sums`, which we skip). */
const statusD = 'var/lib/dpkg/status.d/';

export function isInteresting(path: string): boolean {
  if (exact.has(path)) return true;
  return path.startsWith(statusD) && !path.endsWith('.md5sums') && !path.slice(statusD.length).includes('/');
}

/** Normalises a tar entry name: strips `./` and `/` prefixes and a trailing slash. */
export function normalizePath(name: string): string {
  let path = name.replace(/^(\.\/|\/)+/, '');
  while (path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

/** The biggest interesting file we read (a dpkg status of thousands of packages is a few MB). */
export const maxInterestingBytes = 64 * 1024 * 1024;
