/**
 * go-yaml v3's implicit typing of plain scalars (resolve.go), which decides each value's sops
 * type: YAML 1.2 bools only (`yes` stays a string), `0777` is octal, `1_000` is 1000, timestamps
 * in go-yaml's layouts, and integers above int64 become uint64 (which sops refuses).
 */
import { parseGoFloat, parseGoIntBase, parseGoIntBase0 } from '../../gofmt.js';
import { type GoTime, parseYamlTimestamp } from '../../gotime.js';

export type ResolvedTag =
  '!!str' | '!!int' | '!!float' | '!!bool' | '!!null' | '!!timestamp' | '!!merge' | '!!uint';

export type Resolved =
  | { tag: '!!str'; value: string }
  | { tag: '!!int'; value: bigint }
  | { tag: '!!uint'; value: bigint }
  | { tag: '!!float'; value: number }
  | { tag: '!!bool'; value: boolean }
  | { tag: '!!null'; value: null }
  | { tag: '!!timestamp'; value: GoTime }
  | { tag: '!!merge'; value: string };

const MAP = new Map<string, Resolved>();
for (const s of ['true', 'True', 'TRUE']) MAP.set(s, { tag: '!!bool', value: true });
for (const s of ['false', 'False', 'FALSE']) MAP.set(s, { tag: '!!bool', value: false });
for (const s of ['', '~', 'null', 'Null', 'NULL']) MAP.set(s, { tag: '!!null', value: null });
for (const s of ['.nan', '.NaN', '.NAN']) MAP.set(s, { tag: '!!float', value: NaN });
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'])
  MAP.set(s, { tag: '!!float', value: Infinity });
for (const s of ['-.inf', '-.Inf', '-.INF']) MAP.set(s, { tag: '!!float', value: -Infinity });
MAP.set('<<', { tag: '!!merge', value: '<<' });

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function hint(c: string | undefined): string {
  if (c === undefined) return 'N';
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

function intResult(v: bigint | undefined): Resolved | undefined {
  return v === undefined ? undefined : { tag: '!!int', value: v };
}

/** `resolve("", s)`: the type a plain (unquoted, untagged) scalar decodes to. */
export function resolvePlain(s: string): Resolved {
  const h = hint(s[0]);
  if (h === '') return { tag: '!!str', value: s };
  const known = MAP.get(s);
  if (known !== undefined) return known;
  if (h === '.') {
    const f = parseGoFloat(s);
    if (f !== undefined) return { tag: '!!float', value: f };
  } else if (h === 'D' || h === 'S') {
    const t = parseYamlTimestamp(s);
    if (t !== undefined) return { tag: '!!timestamp', value: t };
    const plain = s.replaceAll('_', '');
    const i = parseGoIntBase0(plain);
    if (i !== undefined)
      return i.kind === 'int' ? { tag: '!!int', value: i.value } : { tag: '!!uint', value: i.value };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return { tag: '!!float', value: f };
    }
    let r: Resolved | undefined;
    if (plain.startsWith('0b')) r = intResult(parseGoIntBase(plain.slice(2), 2));
    else if (plain.startsWith('-0b')) r = intResult(parseGoIntBase('-' + plain.slice(3), 2));
    else if (plain.startsWith('0o')) r = intResult(parseGoIntBase(plain.slice(2), 8));
    else if (plain.startsWith('-0o')) r = intResult(parseGoIntBase('-' + plain.slice(3), 8));
    if (r !== undefined) return r;
  }
  return { tag: '!!str', value: s };
}

/** The resolved tag only (what the encoder checks to decide on quoting). */
export function resolveTag(s: string): string {
  const r = resolvePlain(s);
  return r.tag === '!!uint' ? '!!int' : r.tag;
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

export function isBase60Float(s: string): boolean {
  if (s === '') return false;
  const c = s.charAt(0);
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false;
  return BASE60_FLOAT.test(s);
}

const OLD_BOOLS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);

export function isOldBool(s: string): boolean {
  return OLD_BOOLS.has(s);
}
