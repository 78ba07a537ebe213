/**
 * Alpine package versions, as apk-tools 3 reads them:
 * `digits{.digits}*[letter]{_suffix[digits]}*[~hexhash][-rdigits]`.
 * Written from the grammar and behaviour of apk-tools' version.c (tokens compared left to right;
 * components after the first that start with `0` compare as strings; pre-release suffixes sort
 * before the bare version). Numbers are compared as digit strings so no length overflows.
 */

const enum Token {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  CommitHash = 5,
  RevisionNo = 6,
  End = 7,
  Invalid = 8,
}

// Pre-release suffixes sort before "none"; post-release ones after.
const suffixes: Record<string, number> = {
  alpha: 0,
  beta: 1,
  pre: 2,
  rc: 3,
  cvs: 5,
  svn: 6,
  git: 7,
  hg: 8,
  p: 9,
};
const suffixNone = 4;

interface TokenState {
  token: Token;
  value: string;
  suffix: number;
}

class Cursor {
  constructor(
    readonly text: string,
    public at = 0,
  ) {}
  get done(): boolean {
    return this.at >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.at + offset] ?? '';
  }
  take(predicate: (char: string) => boolean): string {
    const start = this.at;
    while (!this.done && predicate(this.peek())) this.at++;
    return this.text.slice(start, this.at);
  }
}

const digit = (c: string): boolean => c >= '0' && c <= '9';
const lower = (c: string): boolean => c >= 'a' && c <= 'z';
const hex = (c: string): boolean => digit(c) || (c >= 'a' && c <= 'f');

function parseDigits(state: TokenState, cursor: Cursor): void {
  state.value = cursor.take(digit);
  if (state.value === '') state.token = Token.Invalid;
}

function first(cursor: Cursor): TokenState {
  const state: TokenState = { token: Token.InitialDigit, value: '', suffix: 0 };
  parseDigits(state, cursor);
  return state;
}

function next(state: TokenState, cursor: Cursor): void {
  if (cursor.done) {
    state.token = Token.End;
    return;
  }
  const char = cursor.peek();
  if (lower(char)) {
    if (state.token > Token.Digit) {
      invalid(state);
      return;
    }
    state.value = char;
    state.token = Token.Letter;
    cursor.at++;
  } else if (char === '.' || digit(char)) {
    if (char === '.') {
      if (state.token > Token.Digit) {
        invalid(state);
        return;
      }
      cursor.at++;
    }
    if (state.token === Token.InitialDigit || state.token === Token.Digit) state.token = Token.Digit;
    else if (state.token === Token.Suffix) state.token = Token.SuffixNo;
    else {
      invalid(state);
      return;
    }
    parseDigits(state, cursor);
  } else if (char === '_') {
    if (state.token > Token.SuffixNo) {
      invalid(state);
      return;
    }
    cursor.at++;
    state.value = cursor.take(lower);
    const suffix = suffixes[state.value];
    if (suffix === undefined) {
      invalid(state);
      return;
    }
    state.suffix = suffix;
    state.token = Token.Suffix;
  } else if (char === '~') {
    if (state.token >= Token.CommitHash) {
      invalid(state);
      return;
    }
    cursor.at++;
    state.value = cursor.take(hex);
    if (state.value === '') {
      invalid(state);
      return;
    }
    state.token = Token.CommitHash;
  } else if (char === '-') {
    if (state.token >= Token.RevisionNo || cursor.peek(1) !== 'r') {
      invalid(state);
      return;
    }
    cursor.at += 2;
    state.token = Token.RevisionNo;
    parseDigits(state, cursor);
  } else {
    invalid(state);
  }
}

function invalid(state: TokenState): void {
  state.token = Token.Invalid;
}

/** Byte-wise comparison with the shorter string first on a tie (apk's blob sort). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

function compareTokens(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      // A component with a leading zero compares as a string ("fractional"), as in Gentoo.
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareStrings(a.value, b.value);
      return compareNumbers(a.value, b.value);
    case Token.InitialDigit:
    case Token.SuffixNo:
    case Token.RevisionNo:
      return compareNumbers(a.value, b.value);
    case Token.Letter:
      return compareStrings(a.value, b.value);
    case Token.Suffix:
      return Math.sign(a.suffix - b.suffix);
    case Token.CommitHash:
    case Token.End:
    case Token.Invalid:
      return compareStrings(a.value, b.value);
  }
}

export function isValidApkVersion(version: string): boolean {
  const cursor = new Cursor(version);
  const state = first(cursor);
  while (state.token < Token.End) next(state, cursor);
  return state.token === Token.End;
}

function compareFuzzy(a: string, b: string, fuzzy: boolean): number {
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  const ta = first(ca);
  const tb = first(cb);
  while (ta.token === tb.token && ta.token < Token.End) {
    const result = compareTokens(ta, tb);
    if (result !== 0) return result;
    next(ta, ca);
    next(tb, cb);
  }
  if (ta.token === tb.token) return 0;
  if (tb.token === Token.End && fuzzy) return 0;
  // Equal so far: the longer version is newer, unless what follows is a pre-release suffix.
  if (ta.token === Token.Suffix && ta.suffix < suffixNone) return -1;
  if (tb.token === Token.Suffix && tb.suffix < suffixNone) return 1;
  if (ta.token > tb.token) return -1;
  if (tb.token > ta.token) return 1;
  return 0;
}

/** -1, 0 or 1, as apk orders the two versions. Invalid versions still compare (as apk does). */
export function compareApk(a: string, b: string): number {
  return compareFuzzy(a, b, false);
}

/**
 * apk's dependency operators: `<`, `<=`, `=`, `>=`, `>`, and the fuzzy `~` (a matches b's leading
 * components), `<~`, `>~`. A leading `!` negates.
 */
export function apkVersionMatches(a: string, op: string, b: string): boolean {
  const negate = op.startsWith('!');
  const ops = negate ? op.slice(1) : op;
  const fuzzy = ops.includes('~');
  const result = compareFuzzy(a, b, fuzzy);
  const ok =
    (result < 0 && ops.includes('<')) ||
    (result > 0 && ops.includes('>')) ||
    (result === 0 && (ops.includes('=') || fuzzy));
  return negate ? !ok : ok;
}
