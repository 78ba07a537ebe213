/**
 * apk's database (`lib/apk/db/installed`): one record per package of `X:value` lines. The origin
 * (`o:`) is the aport the Alpine secdb is keyed by: libssl3 comes from `openssl`.
 */
import type { InstalledPackage } from './types.js';

export function parseApkDatabase(text: string, file: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const record of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of record.split('\n')) {
      const key = line[0];
      if (key === undefined || line[1] !== ':') continue;
      // F/R (folders and files) repeat; only the first of each key matters here.
      if (!fields.has(key)) fields.set(key, line.slice(2));
    }
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || version === undefined) continue;
    const arch = fields.get('A');
    const license = fields.get('L');
    const maintainer = fields.get('m');
    packages.push({
      type: 'apk',
      name,
      version,
      srcName: fields.get('o') ?? name,
      srcVersion: version,
      ...(arch === undefined ? {} : { arch }),
      ...(license === undefined || license === '' ? {} : { licenses: [license] }),
      ...(maintainer === undefined ? {} : { maintainer }),
      file,
    });
  }
  return packages;
}
