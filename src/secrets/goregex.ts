/**
 * Go RE2 patterns (as written in `.sops.yaml` and in the file metadata) compiled to JS RegExps.
 * The common syntax is shared; this translates the parts that differ: leading flag groups such as
 * `(?i)`, `\A` and `\z`, `(?P<name>…)`, and POSIX classes like `[[:alpha:]]`.
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

export function compileGoRegex(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1] ?? '') if (f !== 'U' && !flags.includes(f)) flags += f;
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
      const cls = POSIX[name];
      if (cls === undefined) return whole;
      return neg === '' ? cls : `^${cls}`;
    })
    .replace(/\\p([A-Z])/g, '\\p{$1}')
    .replace(/\\P([A-Z])/g, '\\P{$1}');
  if (/\\[pP]\{/.test(source)) flags += 'u';
  try {
    const re = new RegExp(source, flags);
    cache.set(pattern, re);
    return re;
  } catch (cause) {
    throw new Error(`can not compile regexp ${JSON.stringify(pattern)}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Go's `regexp.MatchString`: unanchored search. */
export function goMatch(pattern: string, text: string): boolean {
  return compileGoRegex(pattern).test(text);
}
