/**
 * The string matchers behind `glob`, `iglob`, `regex` and `pmatch`, with libsinsp's semantics:
 * glob is fnmatch(3) without flags (`*` also crosses `/`), regex is RE2 in POSIX (egrep) syntax
 * matched against the whole value, and pmatch is a path-prefix search whose components may use
 * glob wildcards.
 */

export class PatternError extends Error {}

/** ASCII-only lower-casing, like C's tolower in the C locale (what strcasestr and FNM_CASEFOLD use). */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text;
}

export function asciiUpper(text: string): string {
  return /[a-z]/.test(text) ? text.replace(/[a-z]+/g, (s) => s.toUpperCase()) : text;
}

const posixClasses: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  word: '0-9A-Za-z_',
  ascii: '\\x00-\\x7f',
};

function escapeClassChar(c: string): string {
  return /[\\\][^-]/.test(c) ? `\\${c}` : c;
}

/**
 * Translates a bracket expression starting at `start` (the `[`); returns the JS class and the index
 * after it, or undefined when the bracket is not closed.
 */
function bracket(pattern: string, start: number, negators: string): { js: string; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (i < pattern.length && negators.includes(pattern[i] as string)) {
    negated = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === ']' && !first) return { js: `[${negated ? '^' : ''}${body}]`, end: i + 1 };
    first = false;
    if (c === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      const name = close < 0 ? undefined : pattern.slice(i + 2, close);
      const cls = name === undefined ? undefined : posixClasses[name];
      if (cls === undefined)
        throw new PatternError(
          `invalid character class: ${pattern.slice(i, close < 0 ? undefined : close + 2)}`,
        );
      body += cls;
      i = close + 2;
      continue;
    }
    if (c === '-' && body !== '' && pattern[i + 1] !== ']' && i + 1 < pattern.length) {
      body += '-';
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < pattern.length) {
      body += escapeClassChar(pattern[i + 1] as string);
      i += 2;
      continue;
    }
    body += escapeClassChar(c);
    i++;
  }
  return undefined;
}

const regexSyntax = '^$\\.*+?()[]{}|/';

function literal(c: string): string {
  return regexSyntax.includes(c) ? `\\${c}` : c;
}

/** fnmatch(pattern, value, 0 or FNM_CASEFOLD) as a JS regular expression. */
export function globToRegExp(pattern: string, caseInsensitive = false): RegExp {
  let js = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') js += '[\\s\\S]*';
    else if (c === '?') js += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) js += literal(pattern[++i] as string);
    else if (c === '[') {
      const cls = bracket(pattern, i, '!^');
      if (cls === undefined) js += '\\[';
      else {
        js += cls.js;
        i = cls.end - 1;
      }
    } else js += literal(c);
  }
  return new RegExp(`^(?:${js})$`, caseInsensitive ? 'iu' : 'u');
}

const regexEscapes: Readonly<Record<string, string>> = {
  n: '\\n',
  t: '\\t',
  r: '\\r',
  f: '\\f',
  v: '\\v',
  a: '\\x07',
};

/**
 * An RE2 POSIX-syntax regular expression as an anchored JS RegExp. Perl extensions that RE2 rejects
 * in POSIX mode (\d, \w, \s, \b, (?:…), lazy quantifiers, back-references) are rejected here too.
 */
export function compileRegex(pattern: string): RegExp {
  let js = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (c === '\\') {
      if (next === undefined) throw new PatternError('trailing \\');
      i++;
      const escape = regexEscapes[next];
      if (escape !== undefined) js += escape;
      else if (next === 'x') {
        const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(pattern.slice(i + 1));
        const plain = /^[0-9a-fA-F]{2}/.exec(pattern.slice(i + 1));
        if (braced !== null) {
          js += `\\u{${braced[1] as string}}`;
          i += braced[0].length;
        } else if (plain !== null) {
          js += `\\x${plain[0]}`;
          i += 2;
        } else throw new PatternError(`invalid escape sequence: \\x`);
      } else if (/[0-9A-Za-z]/.test(next)) {
        throw new PatternError(`invalid escape sequence: \\${next}`);
      } else js += literal(next);
    } else if (c === '[') {
      const cls = bracket(pattern, i, '^');
      if (cls === undefined) throw new PatternError('missing closing ]');
      js += cls.js;
      i = cls.end - 1;
    } else if (c === '.') {
      js += '[^\\n]';
    } else if (c === '(') {
      if (next === '?') throw new PatternError('invalid or unsupported Perl syntax: (?');
      js += '(';
    } else if (c === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (repeat === null) js += '\\{';
      else {
        if (Number(repeat[1]) > 1000 || Number(repeat[3] ?? 0) > 1000)
          throw new PatternError('bad repetition operator');
        js += repeat[0];
        i += repeat[0].length - 1;
        if (pattern[i + 1] === '?' || pattern[i + 1] === '+')
          throw new PatternError('bad repetition operator');
      }
    } else if (c === '*' || c === '+' || c === '?') {
      js += c;
      if (next === '?' || next === '+' || next === '*')
        throw new PatternError(`bad repetition operator: ${c}${next}`);
    } else if (c === '}' || c === ']' || c === '/') {
      js += `\\${c}`;
    } else js += c;
  }
  try {
    return new RegExp(`^(?:${js})$`, 'u');
  } catch (error) {
    throw new PatternError((error as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

interface PathNode {
  dirs: Map<string, PathEntry>;
  globs: { pattern: string; regex: RegExp; entry: PathEntry }[];
}
interface PathEntry {
  /** Longer search paths below this component; undefined when a search path ends here. */
  below: PathNode | undefined;
}

function components(path: string): string[] {
  return ['root', ...path.split('/').filter((c) => c !== '')];
}

/** The search paths of `pmatch`: a path matches when one of them is a prefix of it, by components. */
export class PathPrefixSet {
  private readonly root: PathNode = { dirs: new Map(), globs: [] };

  constructor(paths: Iterable<string>) {
    for (const path of paths) this.add(this.root, components(path), 0);
  }

  private add(node: PathNode, parts: string[], i: number): void {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    const isGlob = /[?*[]/.test(part);
    const existing = isGlob ? node.globs.find((g) => g.pattern === part)?.entry : node.dirs.get(part);
    if (existing === undefined) {
      const entry: PathEntry = { below: undefined };
      if (!last) {
        entry.below = { dirs: new Map(), globs: [] };
        this.add(entry.below, parts, i + 1);
      }
      if (isGlob) node.globs.push({ pattern: part, regex: globToRegExp(part), entry });
      else node.dirs.set(part, entry);
    } else if (last) {
      existing.below = undefined; // a shorter prefix makes the longer ones redundant
    } else if (existing.below !== undefined) {
      this.add(existing.below, parts, i + 1);
    }
  }

  private matchFrom(node: PathNode, parts: string[], i: number): boolean {
    const direct = node.dirs.get(parts[i] as string);
    if (direct !== undefined && this.check(direct, parts, i + 1)) return true;
    for (const glob of node.globs) {
      if (glob.regex.test(parts[i] as string) && this.check(glob.entry, parts, i + 1)) return true;
    }
    return false;
  }

  private check(entry: PathEntry, parts: string[], i: number): boolean {
    if (entry.below === undefined) return true;
    if (i >= parts.length) return false;
    return this.matchFrom(entry.below, parts, i);
  }

  matches(path: string): boolean {
    return this.matchFrom(this.root, components(path), 0);
  }
}

/** `bcontains`/`bstartswith` operands: hex digit pairs, e.g. `48545450`. */
export function hexToBytes(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(compact)) return undefined;
  return Buffer.from(compact, 'hex');
}
