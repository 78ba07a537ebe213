import type { DetectedOs } from '../os/detect.js';
import { debianMajor } from '../os/detect.js';
import { alpineEol, debianEol, isSupported, ubuntuEol, ubuntuRelease } from './eol.js';
import type { VersionScheme } from '../version/index.js';

export interface Release {
  /** The DB key: `debian:12`, `ubuntu:22.04`, `alpine:3.18`. */
  dbNamespace: string;
  scheme: VersionScheme;
  /** False when the release is past its end of life at `now`. */
  supported: boolean;
}

export interface ReleaseOptions {
  now: Date;
  ubuntuEolTable?: Record<string, string>;
}

export function releaseFor(
  os: Pick<DetectedOs, 'family' | 'version' | 'codename' | 'repositoryRelease'>,
  options: ReleaseOptions,
): Release {
  switch (os.family) {
    case 'debian': {
      const major = debianMajor(os.version, os.codename);
      return {
        dbNamespace: `debian:${major}`,
        scheme: 'dpkg',
        supported: isSupported(major, options.now, debianEol),
      };
    }
    case 'ubuntu': {
      const table = options.ubuntuEolTable ?? ubuntuEol;
      const release = ubuntuRelease(os.version, options.now, table);
      return {
        dbNamespace: `ubuntu:${release}`,
        scheme: 'dpkg',
        supported: isSupported(release, options.now, table),
      };
    }
    case 'alpine': {
      const minor = /^(\d+\.\d+)/.exec(os.version)?.[1] ?? os.version;
      // The repositories file wins: an image on 3.9 pulling from the 3.10 branch gets 3.10 fixes.
      const release = os.repositoryRelease ?? minor;
      return {
        dbNamespace: `alpine:${release}`,
        scheme: 'apk',
        supported: isSupported(minor, options.now, alpineEol),
      };
    }
  }
}
