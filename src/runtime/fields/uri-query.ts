/**
 * Query parameters of a request URI with Go's net/url rules (what the k8saudit plugin uses for
 * `ka.uri.param`): `+` is a space, `%XX` escapes must be valid, a `;` in the query is an error,
 * and any error makes the field unavailable.
 */

function queryUnescape(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '+') bytes.push(0x20);
    else if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** The first value of query parameter `key` in `uri`, or undefined when absent or malformed. */
export function parseQueryParam(uri: string, key: string): string | undefined {
  // Go's url.Parse rejects ASCII control characters anywhere in the URL.
  for (let i = 0; i < uri.length; i++) {
    const code = uri.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return undefined;
  }
  const hash = uri.indexOf('#');
  const withoutFragment = hash >= 0 ? uri.slice(0, hash) : uri;
  const question = withoutFragment.indexOf('?');
  if (question < 0) return undefined;
  if (queryUnescape(withoutFragment.slice(0, question).replaceAll('+', '%2B')) === undefined)
    return undefined;
  let found: string | undefined;
  for (const part of withoutFragment.slice(question + 1).split('&')) {
    if (part === '') continue;
    if (part.includes(';')) return undefined;
    const eq = part.indexOf('=');
    const name = queryUnescape(eq >= 0 ? part.slice(0, eq) : part);
    const value = queryUnescape(eq >= 0 ? part.slice(eq + 1) : '');
    if (name === undefined || value === undefined) return undefined;
    if (name === key && found === undefined) found = value;
  }
  return found;
}
