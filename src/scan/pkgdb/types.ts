export type PackageType = 'deb' | 'apk';

/** One installed OS package, with the source package the vulnerability feeds are keyed by. */
export interface InstalledPackage {
  type: PackageType;
  name: string;
  version: string;
  arch?: string;
  /** dpkg `Source:` / apk origin; the binary name when the database gives none. */
  srcName: string;
  /** dpkg: the version in `Source: name (version)`, else the binary version. apk: the version. */
  srcVersion: string;
  licenses?: string[];
  maintainer?: string;
  /** The database file it was read from (`var/lib/dpkg/status`, `status.d/<name>`, apk installed). */
  file: string;
  /** The layer that introduced this exact version (index into the image's layers). */
  layer?: number;
}
