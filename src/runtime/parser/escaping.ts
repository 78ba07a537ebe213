/**
 * String quoting of the condition language, with libsinsp's rules (filter/escaping.cpp): a quoted
 * token keeps its delimiters until it is unescaped here, `\"` is only valid inside `"…"`, `\'`
 * only inside `'…'`, and `"\ "` is tolerated because old Falco rules used it.
 */

export class EscapeError extends Error {}

const simpleEscapes: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  ' ': '\\',
  '\\': '\\',
  '/': '/',
};

/** Unescapes a quoted token including its delimiters, e.g. `"a \"b\""` → `a "b"`. */
export function unescapeQuoted(token: string): string {
  const delimiter = token[0];
  const end = token.length - 1;
  // Escapes as \xHH produce raw bytes; collect bytes only when one appears, then decode as UTF-8.
  let bytes: number[] | undefined;
  let out = '';
  const push = (text: string) => {
    if (bytes === undefined) out += text;
    else for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
  };
  for (let i = 1; i < end; i++) {
    const c = token[i] as string;
    if (c !== '\\') {
      push(c);
      continue;
    }
    i++;
    if (i >= end) break; // a trailing backslash before the closing quote is dropped, as in libsinsp
    const e = token[i] as string;
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      push(simple);
    } else if (e === '"' || e === "'") {
      if (e !== delimiter) {
        throw new EscapeError(
          e === '"' ? `invalid \\" escape in '-quoted string` : `invalid \\' escape in "-quoted string`,
        );
      }
      push(e);
    } else if (e === 'x') {
      if (i + 2 >= end) throw new EscapeError('truncated hex char escape sequence');
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new EscapeError(`invalid hex char escape sequence: ${hex}`);
      if (bytes === undefined) bytes = [...Buffer.from(out, 'utf8')];
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      throw new EscapeError(`unsupported string escape sequence: \\${e}`);
    }
  }
  return bytes === undefined ? out : new TextDecoder().decode(Uint8Array.from(bytes));
}

/**
 * Quotes a value when printing a condition, only if it needs it (spaces, quotes, `=`, control
 * characters); otherwise the bare value is returned.
 */
export function escapeString(value: string): string {
  let needsQuotes = false;
  let out = '';
  for (const c of value) {
    switch (c) {
      case '\b':
        out += '\\b';
        needsQuotes = true;
        break;
      case '\f':
        out += '\\f';
        needsQuotes = true;
        break;
      case '\n':
        out += '\\n';
        needsQuotes = true;
        break;
      case '\r':
        out += '\\r';
        needsQuotes = true;
        break;
      case '\t':
        out += '\\t';
        needsQuotes = true;
        break;
      case '\\':
        out += '\\\\';
        needsQuotes = true;
        break;
      case '"':
        out += '\\"';
        needsQuotes = true;
        break;
      case ' ':
      case '=':
      case "'":
      case '\0':
        out += c;
        needsQuotes = true;
        break;
      default:
        out += c;
    }
  }
  return needsQuotes ? `"${out}"` : out;
}
