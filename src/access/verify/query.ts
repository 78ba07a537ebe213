/**
 * Parses the query of a pre-signed URL strictly, the way Go's url.ParseQuery does: `+` is a
 * space, a malformed percent-escape is an error (URLSearchParams would silently keep it), and
 * repeated keys keep all their values so the caller can refuse them.
 */
export function parseQueryStrict(rawQuery: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  if (rawQuery === '') return params;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) throw new Error('invalid semicolon separator in query');
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    const values = params.get(key);
    if (values === undefined) params.set(key, [value]);
    else values.push(value);
  }
  return params;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new Error(`invalid URL escape in ${JSON.stringify(text)}`);
  }
}

/** RFC 3986 encoding with uppercase hex, as SigV4 requires (`encodeURIComponent` leaves !'()* alone). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
