/**
 * Debian version numbers (deb-version(7), Debian Policy §5.6.12): `[epoch:]upstream[-revision]`.
 * Comparison follows dpkg's `verrevcmp`; parsing follows dpkg's `parseversion`, which rejects some
 * strings outright (errors) and accepts others only with a warning (those are invalid here too).
 */

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export type DebParseResult =
  { ok: true; version: DebVersion } | { ok: false; severity: 'error' | 'warning'; reason: string };

const upstreamChar = /^[A-Za-z0-9.+~:-]$/;
const revisionChar = /^[A-Za-z0-9.+~]$/;

export function parseDebVersion(input: string): DebParseResult {
  const text = input.trim();
  const fail = (severity: 'error' | 'warning', reason: string): DebParseResult => ({
    ok: false,
    severity,
    reason,
  });
  if (text === '') return fail('error', 'version string is empty');
  if (/\s/.test(text)) return fail('error', 'version string has embedded spaces');
  let epoch = 0;
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (epochText === '') return fail('error', 'epoch in version is empty');
    if (!/^\d+$/.test(epochText)) {
      return fail(
        'error',
        epochText.startsWith('-') ? 'epoch in version is negative' : 'epoch in version is not a number',
      );
    }
    epoch = Number(epochText);
    // dpkg stores the epoch in an int; anything beyond INT_MAX is an error.
    if (epoch > 2147483647) return fail('error', 'epoch in version is too big');
    rest = text.slice(colon + 1);
    if (rest === '') return fail('error', 'nothing after colon in version number');
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (upstream === '') return fail('error', 'version number is empty');
  if (hyphen >= 0 && revision === '') return fail('error', 'revision number is empty');
  if (!/^\d/.test(upstream)) return fail('warning', 'version number does not start with digit');
  for (const char of upstream) {
    if (!upstreamChar.test(char)) return fail('warning', 'invalid character in version number');
  }
  for (const char of revision) {
    if (!revisionChar.test(char)) return fail('warning', 'invalid character in revision number');
  }
  return { ok: true, version: { epoch, upstream, revision } };
}

/** The sort weight of one non-digit character: `~` first, then end of string, letters, the rest. */
function order(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === '~') return -1;
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0);
  return char.charCodeAt(0) + 256;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
export function compareDebPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(isDigit(a[i]) ? undefined : a[i]);
      const bc = order(isDigit(b[j]) ? undefined : b[j]);
      if (ac !== bc) return Math.sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return Math.sign(firstDiff);
  }
  return 0;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const upstream = compareDebPart(a.upstream, b.upstream);
  if (upstream !== 0) return upstream;
  return compareDebPart(a.revision, b.revision);
}

/**
 * Compares two version strings the way dpkg does. Throws on a string dpkg would not accept, so
 * callers decide what an unparsable version means (the matcher skips it, as Trivy does).
 */
export function compareDeb(a: string, b: string): number {
  return compareDebVersions(requireDeb(a), requireDeb(b));
}

export function requireDeb(text: string): DebVersion {
  const parsed = parseDebVersion(text);
  if (!parsed.ok) throw new InvalidVersionError('dpkg', text, parsed.reason);
  return parsed.version;
}

export class InvalidVersionError extends Error {
  constructor(
    readonly scheme: string,
    readonly version: string,
    readonly reason: string,
  ) {
    super(`invalid ${scheme} version "${version}": ${reason}`);
  }
}
