/**
 * RPM versions: `rpmvercmp` on one version or release string, and EVR (`[epoch:]version[-release]`)
 * comparison. Written from rpm's documented rules: segments are maximal runs of ASCII letters or
 * digits, anything else separates; `~` sorts before everything (pre-releases), `^` after the base
 * version but before any further segment; digits beat letters; numbers ignore leading zeros; with
 * all segments equal, the side with more left over wins.
 */

const isAsciiDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAsciiAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string): boolean => isAsciiDigit(c) || isAsciiAlpha(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => s[k] ?? '';
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== '~' && at(a, i) !== '^') i++;
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== '~' && at(b, j) !== '^') j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isAsciiDigit(ca);
    const inSegment = numeric ? isAsciiDigit : isAsciiAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && inSegment(at(a, ei))) ei++;
    while (ej < b.length && inSegment(at(b, ej))) ej++;
    // The other side has a segment of the other kind: numbers are newer than letters.
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export interface Evr {
  epoch: number;
  version: string;
  release: string;
}

/**
 * Splits `[epoch:]version[-release]`. A missing epoch is 0. The release starts after the first
 * hyphen following the epoch, as go-rpm-version and the vulnerability feeds (OSV, OVAL) write it.
 */
export function parseEvr(text: string): Evr {
  let rest = text.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon >= 0 && /^\d*$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon) || '0');
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.indexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: '' };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const version = rpmvercmp(x.version, y.version);
  if (version !== 0) return version;
  return rpmvercmp(x.release, y.release);
}
