/**
 * Engine and plugin versions. Chartroom implements Falco's rules engine at engine version 0.63.0
 * (Falco 0.44) and the k8saudit (0.18.0) and json (0.7.4) plugins; rules files state what they
 * need with `required_engine_version` and `required_plugin_versions`.
 */
import type { Version } from './model.js';

export const engineVersion: Version = { major: 0, minor: 63, patch: 0 };

/** The plugins whose fields Chartroom implements, with the version implemented. */
export const providedPlugins: Readonly<Record<string, Version>> = {
  k8saudit: { major: 0, minor: 18, patch: 0 },
  json: { major: 0, minor: 7, patch: 4 },
};

export function parseVersion(text: string): Version | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Semver compatibility as Falco checks it: same major version and at least the required one. */
export function satisfies(actual: Version, required: Version): boolean {
  return actual.major === required.major && compareVersions(actual, required) >= 0;
}
