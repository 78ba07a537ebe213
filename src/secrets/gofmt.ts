/**
 * Go's number and boolean conversions (strconv), byte for byte. The MAC is computed over these
 * strings, so `1e21` must become `1000000000000000000000` exactly as Go writes it.
 */

interface Digits {
  neg: boolean;
  /** Shortest round-trip decimal digits, no leading zeros ("" for zero). */
  d: string;
  /** Position of the decimal point relative to the digits. */
  dp: number;
}

function shortest(v: number): Digits {
  const neg = v < 0 || Object.is(v, -0);
  if (v === 0) return { neg, d: '', dp: 0 };
  const [mantissa = '', exponent = '0'] = Math.abs(v).toExponential().split('e');
  return { neg, d: mantissa.replace('.', ''), dp: Number(exponent) + 1 };
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function fmtF({ neg, d, dp }: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (dp > 0) {
    out += d.slice(0, dp).padEnd(dp, '0');
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = dp + i - 1;
      out += d[j] ?? '0';
    }
  }
  return out;
}

function fmtE({ neg, d, dp }: Digits, prec: number, e: 'e' | 'E'): string {
  let out = neg ? '-' : '';
  out += d[0] ?? '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += d[i] ?? '0';
  }
  const exp = d.length === 0 ? 0 : dp - 1;
  out += e + (exp < 0 ? '-' : '+');
  const abs = Math.abs(exp);
  out += abs < 10 ? `0${abs}` : String(abs);
  return out;
}

/** `strconv.FormatFloat(v, 'f', -1, 64)`: what sops encrypts and MACs for floats. */
export function formatFloatF(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const digs = shortest(v);
  return fmtF(digs, Math.max(digs.d.length - digs.dp, 0));
}

/** `strconv.FormatFloat(v, 'g' or 'G', -1, 64)`: how go-yaml writes floats, and ValToString. */
export function formatFloatG(v: number, upper = false): string {
  const s = special(v);
  if (s !== undefined) return s;
  const digs = shortest(v);
  const nd = Math.max(digs.d.length, 1);
  const exp = digs.dp - 1;
  if (digs.d.length > 0 && (exp < -4 || exp >= 6)) return fmtE(digs, nd - 1, upper ? 'E' : 'e');
  return fmtF(digs, Math.max(digs.d.length - digs.dp, 0));
}

/** Go `encoding/json` float64: 'f', or 'e' (with `e-07` shortened to `e-7`) outside [1e-6, 1e21). */
export function formatJsonFloat(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${formatFloatG(v)}`);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    const digs = shortest(v);
    return fmtE(digs, Math.max(digs.d.length - 1, 0), 'e').replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloatF(v);
}

/**
 * sops's `stores.ValToString` for floats (exec-env, dotenv, INI): `%G`, with `.0` added when the
 * result would read as an integer.
 */
export function floatToString(v: number): string {
  const g = formatFloatG(v, true);
  if (!g.includes('.') && !g.includes('E')) return formatFloatF(v) + (Number.isFinite(v) ? '.0' : '');
  return g;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

function digitsIn(s: string, base: number): boolean {
  if (s.length === 0) return false;
  for (const ch of s) {
    const v = parseInt(ch, 36);
    if (Number.isNaN(v) || v >= base) return false;
  }
  return true;
}

function parseUnsigned(s: string, base: number): bigint | undefined {
  if (!digitsIn(s, base)) return undefined;
  let out = 0n;
  const b = BigInt(base);
  for (const ch of s) out = out * b + BigInt(parseInt(ch, 36));
  return out;
}

/** Base and digits after Go's base-0 prefix rules (`0x`, `0o`, `0b`, legacy `0` octal). */
function splitBase(s: string): [number, string] {
  if (s.length >= 2 && s[0] === '0') {
    const p = (s[1] ?? '').toLowerCase();
    if (p === 'x') return [16, s.slice(2)];
    if (p === 'o') return [8, s.slice(2)];
    if (p === 'b') return [2, s.slice(2)];
    return [8, s.slice(1)];
  }
  return [10, s];
}

export type GoIntResult = { kind: 'int'; value: bigint } | { kind: 'uint'; value: bigint } | undefined;

/**
 * `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`, as go-yaml's resolver tries them.
 * A `uint` result is a value above int64, which sops later refuses.
 */
export function parseGoIntBase0(s: string): GoIntResult {
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  const [base, digits] = splitBase(body);
  const magnitude = parseUnsigned(digits, base);
  if (magnitude === undefined) return undefined;
  const value = neg ? -magnitude : magnitude;
  if (fitsInt64(value)) return { kind: 'int', value };
  if (!neg && magnitude <= UINT64_MAX && s[0] !== '+') return { kind: 'uint', value };
  return undefined;
}

/** Go's ParseInt with an explicit base (go-yaml's `0b`/`0o` fallbacks). */
export function parseGoIntBase(s: string, base: number): bigint | undefined {
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  const magnitude = parseUnsigned(body, base);
  if (magnitude === undefined) return undefined;
  const value = neg ? -magnitude : magnitude;
  return fitsInt64(value) ? value : undefined;
}

/** `strconv.Atoi`: decimal only, optional sign, int64 range. */
export function atoi(s: string): bigint | undefined {
  return parseGoIntBase(s, 10);
}

const FLOAT_RE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/** Go's underscore rule: only between digits. */
function underscoresOk(s: string): boolean {
  const body = s.replace(/^[+-]/, '');
  return !/(^_|_$|[^0-9]_|_[^0-9])/.test(body);
}

/** `strconv.ParseFloat(s, 64)` for decimal input, infinities and NaN. */
export function parseGoFloat(s: string): number | undefined {
  const special = SPECIAL_FLOAT.exec(s);
  if (special) {
    if ((special[2] ?? '').toLowerCase() === 'nan') return special[1] === '' ? NaN : undefined;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  let body = s;
  if (s.includes('_')) {
    if (!underscoresOk(s)) return undefined;
    body = s.replace(/_/g, '');
  }
  if (!FLOAT_RE.test(body)) return undefined;
  const v = Number(body);
  // Go reports overflow as an error (ErrRange); so do we.
  if (!Number.isFinite(v)) return undefined;
  return v;
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}
