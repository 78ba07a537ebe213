/**
 * dpkg's database: `var/lib/dpkg/status` (one stanza per package) and distroless's
 * `var/lib/dpkg/status.d/<name>` (one stanza per file). Which packages count, and their source
 * name and version, follow `dpkg-query -W` with `${source:Package}` / `${source:Version}`.
 */
import type { InstalledPackage } from './types.js';

/** RFC 822-style stanzas: `Field: value`, continuation lines start with a blank. */
export function parseStanzas(text: string): Record<string, string>[] {
  const stanzas: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let last: string | undefined;
  const flush = (): void => {
    if (Object.keys(current).length > 0) stanzas.push(current);
    current = {};
    last = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      current[last] = `${current[last] ?? ''}\n${line.slice(1)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).toLowerCase();
    current[last] = line.slice(colon + 1).trim();
  }
  flush();
  return stanzas;
}

/**
 * dpkg keeps packages in every state in its database; only `not-installed` and `config-files`
 * (removed, configuration left behind) have no files on disk. A package selected for removal
 * (`deinstall ok installed`) is still installed and still vulnerable.
 */
function isPresent(status: string | undefined): boolean {
  if (status === undefined) return true; // status.d stanzas carry no Status field
  const state = status.split(/\s+/)[2];
  return state !== 'not-installed' && state !== 'config-files';
}

export function parseDpkgDatabase(text: string, file: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = stanza.package;
    const version = stanza.version;
    if (name === undefined || version === undefined || !isPresent(stanza.status)) continue;
    const source = /^(\S+)(?:\s+\((.*)\))?$/.exec(stanza.source ?? '');
    const arch = stanza.architecture;
    const maintainer = stanza.maintainer;
    packages.push({
      type: 'deb',
      name,
      version,
      srcName: source?.[1] ?? name,
      srcVersion: source?.[2]?.trim() ?? version,
      ...(arch === undefined ? {} : { arch }),
      ...(maintainer === undefined ? {} : { maintainer }),
      file,
    });
  }
  return packages;
}
