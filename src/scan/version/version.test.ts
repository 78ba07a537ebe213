import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apkVersionMatches, compareApk, isValidApkVersion } from './apk.js';
import { compareDeb, compareDebPart, parseDebVersion } from './deb.js';
import { compareRpm, parseEvr, rpmvercmp } from './rpm.js';

const fixtures = resolve(import.meta.dirname, '../../../../shared/fixtures/scan/versions');
function load(name: string): unknown {
  return JSON.parse(readFileSync(resolve(fixtures, name), 'utf8'));
}

interface Triple {
  a: string;
  b: string;
  expected: number;
}

describe('dpkg versions (dpkg scripts/t/Dpkg_Version.t and lib/dpkg/t/t-version.c)', () => {
  const table = load('debian.json') as {
    compare: Triple[];
    sortChecks: { function: string; unsorted: string[]; sorted: string[] }[];
    validity: { version: string; valid: boolean }[];
    epochRevision: { version: string; hasEpoch: boolean; hasRevision: boolean }[];
    parse: {
      cases: {
        input: string;
        result: 'ok' | 'error' | 'warning';
        epoch?: number;
        upstream?: string;
        revision?: string;
      }[];
    };
  };

  it('compares every row of the table both ways', () => {
    expect(table.compare).toHaveLength(43);
    const wrong = table.compare.filter(
      (row) => compareDeb(row.a, row.b) !== row.expected || compareDeb(row.b, row.a) !== -row.expected,
    );
    expect(wrong).toEqual([]);
  });

  it('sorts as the three sort checks say', () => {
    expect(table.sortChecks).toHaveLength(3);
    table.sortChecks.forEach((check, index) => {
      const compare = index === 0 ? compareDeb : compareDebPart;
      expect([...check.unsorted].sort(compare), check.function).toEqual(check.sorted);
    });
  });

  it('accepts and rejects versions as dpkg does', () => {
    for (const row of table.validity) expect(parseDebVersion(row.version).ok, row.version).toBe(row.valid);
    for (const row of table.epochRevision) {
      const parsed = parseDebVersion(row.version);
      if (!parsed.ok) throw new Error(`${row.version} did not parse`);
      expect(row.version.includes(':'), row.version).toBe(row.hasEpoch);
      expect(parsed.version.revision !== '', row.version).toBe(row.hasRevision);
    }
  });

  it('parses every t-version.c case into epoch, upstream and revision, or fails at the same level', () => {
    expect(table.parse.cases.length).toBe(80);
    for (const row of table.parse.cases) {
      const parsed = parseDebVersion(row.input);
      if (row.result === 'ok') {
        expect(parsed, JSON.stringify(row.input)).toEqual({
          ok: true,
          version: { epoch: row.epoch, upstream: row.upstream, revision: row.revision },
        });
      } else {
        expect(parsed.ok, JSON.stringify(row.input)).toBe(false);
        if (!parsed.ok) expect(parsed.severity, JSON.stringify(row.input)).toBe(row.result);
      }
    }
  });
});

describe('apk versions (apk-tools test/unit/version.data)', () => {
  const table = load('alpine.json') as {
    compare: Triple[];
    fuzzy: { a: string; op: string; b: string; expectedMatch: boolean }[];
    validity: { version: string; valid: boolean }[];
  };

  it('orders all 738 pairs', () => {
    expect(table.compare).toHaveLength(738);
    const wrong = table.compare.filter((row) => compareApk(row.a, row.b) !== row.expected);
    expect(wrong).toEqual([]);
  });

  it('matches the fuzzy operators', () => {
    expect(table.fuzzy).toHaveLength(16);
    for (const row of table.fuzzy) {
      expect(apkVersionMatches(row.a, row.op, row.b), `${row.a} ${row.op} ${row.b}`).toBe(true);
    }
  });

  it('validates versions', () => {
    expect(table.validity).toHaveLength(31);
    const wrong = table.validity.filter((row) => isValidApkVersion(row.version) !== row.valid);
    expect(wrong).toEqual([]);
  });

  it('agrees with the raw version.data line for line', () => {
    const raw = readFileSync(resolve(fixtures, 'raw/apk-tools-version.data'), 'utf8');
    let checked = 0;
    for (const line of raw.split('\n')) {
      const text = line.replace(/#.*/, '').trim();
      if (text === '') continue;
      const parts = text.split(/\s+/);
      if (parts.length === 1) {
        const word = parts[0] ?? '';
        const valid = !word.startsWith('!');
        expect(isValidApkVersion(valid ? word : word.slice(1)), word).toBe(valid);
      } else {
        const [a, op, b] = parts as [string, string, string];
        expect(apkVersionMatches(a, op, b), text).toBe(true);
      }
      checked++;
    }
    expect(checked).toBe(738 + 16 + 31);
  });
});

describe('rpm versions (rpm tests/rpmvercmp.at, go-rpm-version)', () => {
  const table = load('rpm.json') as { compare: Triple[] };
  const extra = load('rpm-go-rpm-version.json') as {
    segmentCompare: Triple[];
    evrCompare: Triple[];
  };

  it('passes all 91 rpmvercmp cases', () => {
    expect(table.compare).toHaveLength(91);
    const wrong = table.compare.filter((row) => rpmvercmp(row.a, row.b) !== row.expected);
    expect(wrong).toEqual([]);
  });

  it("passes go-rpm-version's 4,489 segment cases", () => {
    expect(extra.segmentCompare).toHaveLength(4489);
    const wrong = extra.segmentCompare.filter((row) => rpmvercmp(row.a, row.b) !== row.expected);
    expect(wrong).toEqual([]);
  });

  it("passes go-rpm-version's 76 EVR cases", () => {
    expect(extra.evrCompare).toHaveLength(76);
    const wrong = extra.evrCompare.filter((row) => compareRpm(row.a, row.b) !== row.expected);
    expect(wrong).toEqual([]);
  });

  it('splits epoch, version and release', () => {
    expect(parseEvr('0:0-0-0')).toEqual({ epoch: 0, version: '0', release: '0-0' });
    expect(parseEvr('2:3.10.0-327.el7')).toEqual({ epoch: 2, version: '3.10.0', release: '327.el7' });
    expect(parseEvr('1.2')).toEqual({ epoch: 0, version: '1.2', release: '' });
  });
});
