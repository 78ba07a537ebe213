/** Version schemes of the package ecosystems the scanner reads. */
import { isValidApkVersion, compareApk } from './apk.js';
import { compareDeb, parseDebVersion } from './deb.js';
import { compareRpm } from './rpm.js';

export { compareDeb, parseDebVersion, compareDebPart, InvalidVersionError } from './deb.js';
export { compareApk, isValidApkVersion, apkVersionMatches } from './apk.js';
export { compareRpm, rpmvercmp, parseEvr } from './rpm.js';

export type VersionScheme = 'dpkg' | 'apk' | 'rpm';

export interface VersionComparator {
  scheme: VersionScheme;
  valid(version: string): boolean;
  /** Sign of a - b; only meaningful when both are valid. */
  compare(a: string, b: string): number;
}

export const comparators: Record<VersionScheme, VersionComparator> = {
  dpkg: { scheme: 'dpkg', valid: (v) => parseDebVersion(v).ok, compare: compareDeb },
  apk: { scheme: 'apk', valid: isValidApkVersion, compare: compareApk },
  rpm: { scheme: 'rpm', valid: (v) => v.trim() !== '', compare: compareRpm },
};
