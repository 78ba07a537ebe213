/**
 * Which distribution and release an image is, from its release files. Ubuntu wins over Debian
 * (Ubuntu ships /etc/debian_version too); distroless Debian images are recognised by os-release.
 * The namespace is Clair's: `debian:12`, `ubuntu:22.04`, `alpine:v3.18` — the keys of the talk's
 * per-base-image table.
 */
import type { MergedFs } from '../image/apply.js';

export type OsFamily = 'debian' | 'ubuntu' | 'alpine';

export interface DetectedOs {
  family: OsFamily;
  /** As the image says it: `12.5`, `22.04`, `3.18.4`; `bookworm/sid` for Debian testing. */
  version: string;
  codename?: string;
  prettyName?: string;
  /** Alpine: the branch of /etc/apk/repositories (`3.18`, `edge`) when it names one. */
  repositoryRelease?: string;
  /** Clair v2 namespace: `debian:12`, `ubuntu:22.04`, `alpine:v3.18`. */
  namespace: string;
}

/** Parses os-release / lsb-release KEY=value lines (values optionally quoted). */
export function parseKeyValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    const key = match?.[1];
    let value = match?.[2];
    if (key === undefined || value === undefined) continue;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    values[key] = value.replace(/\\(["'$`\\])/g, '$1');
  }
  return values;
}

const debianCodenames: Record<string, string> = {
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

export function debianMajor(version: string, codename?: string): string {
  const major = /^(\d+)/.exec(version)?.[1];
  if (major !== undefined) return major;
  // testing/unstable write "<codename>/sid" into debian_version.
  const name = codename ?? version.split('/')[0] ?? '';
  return debianCodenames[name] ?? 'unstable';
}

function alpineMinor(version: string): string {
  return /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
}

/** The branch named by the repositories file: `…/alpine/v3.18/main` → `3.18`, `…/edge/…` → `edge`. */
export function alpineRepositoryRelease(text: string): string | undefined {
  const releases = new Set<string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /\/(v\d+\.\d+|edge)\/[^/\s]+\/?$/.exec(trimmed);
    if (match?.[1] !== undefined) releases.add(match[1].replace(/^v/, ''));
  }
  // Trivy takes the newest branch when several are listed; edge is newest of all.
  if (releases.has('edge')) return 'edge';
  return [...releases]
    .sort((a, b) => {
      const [am = 0, an = 0] = a.split('.').map(Number);
      const [bm = 0, bn = 0] = b.split('.').map(Number);
      return am - bm || an - bn;
    })
    .at(-1);
}

export function detectOs(fs: MergedFs): DetectedOs | undefined {
  const osRelease = parseKeyValues(
    (fs.read('etc/os-release') ?? fs.read('usr/lib/os-release'))?.content ?? '',
  );
  const alpine = fs.read('etc/alpine-release')?.content.split('\n')[0]?.trim();
  if (alpine !== undefined && alpine !== '') {
    const repositories = fs.read('etc/apk/repositories')?.content;
    const repositoryRelease = repositories === undefined ? undefined : alpineRepositoryRelease(repositories);
    const release = repositoryRelease ?? alpineMinor(alpine);
    return {
      family: 'alpine',
      version: alpine,
      ...(osRelease.PRETTY_NAME === undefined ? {} : { prettyName: osRelease.PRETTY_NAME }),
      ...(repositoryRelease === undefined ? {} : { repositoryRelease }),
      namespace: `alpine:${release === 'edge' ? 'edge' : `v${release}`}`,
    };
  }
  const lsb = parseKeyValues(fs.read('etc/lsb-release')?.content ?? '');
  if (lsb.DISTRIB_ID === 'Ubuntu' && lsb.DISTRIB_RELEASE !== undefined) {
    return ubuntu(
      lsb.DISTRIB_RELEASE,
      lsb.DISTRIB_CODENAME ?? osRelease.VERSION_CODENAME,
      osRelease.PRETTY_NAME ?? lsb.DISTRIB_DESCRIPTION,
    );
  }
  if (osRelease.ID === 'ubuntu' && osRelease.VERSION_ID !== undefined) {
    return ubuntu(osRelease.VERSION_ID, osRelease.VERSION_CODENAME, osRelease.PRETTY_NAME);
  }
  const debianVersion = fs.read('etc/debian_version')?.content.split('\n')[0]?.trim();
  if ((debianVersion !== undefined && debianVersion !== '') || osRelease.ID === 'debian') {
    // distroless images may lack debian_version; os-release's VERSION_ID is the major then.
    const version =
      debianVersion !== undefined && debianVersion !== ''
        ? debianVersion
        : (osRelease.VERSION_ID ?? 'unstable');
    const codename = osRelease.VERSION_CODENAME;
    const major = debianMajor(version, codename);
    return {
      family: 'debian',
      version,
      ...(codename === undefined ? {} : { codename }),
      ...(osRelease.PRETTY_NAME === undefined ? {} : { prettyName: osRelease.PRETTY_NAME }),
      namespace: `debian:${major}`,
    };
  }
  return undefined;
}

function ubuntu(version: string, codename: string | undefined, prettyName: string | undefined): DetectedOs {
  return {
    family: 'ubuntu',
    version,
    ...(codename === undefined ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
    namespace: `ubuntu:${version}`,
  };
}
