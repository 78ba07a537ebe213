/**
 * JSON exactly as Falco writes it (nlohmann::json): object keys in sorted order at every level,
 * 64-bit integers written in full (nanosecond times exceed a double), no spaces, `/` not escaped,
 * control characters escaped, invalid UTF-16 replaced by U+FFFD.
 */

export type FalcoJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly FalcoJsonValue[]
  | { readonly [key: string]: FalcoJsonValue | undefined };

/** A string as a JSON literal, with lone surrogates replaced (nlohmann's error_handler_t::replace). */
export function jsonString(text: string): string {
  return JSON.stringify(
    text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function compareKeys(a: string, b: string): number {
  // std::map<std::string> orders by bytes; for UTF-16 code units this equals code point order
  // except for astral characters, which never occur in field names.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function stringifyFalcoJson(value: FalcoJsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value))
    return `[${(value as readonly FalcoJsonValue[]).map(stringifyFalcoJson).join(',')}]`;
  const object = value as { readonly [key: string]: FalcoJsonValue | undefined };
  const keys = Object.keys(object)
    .filter((k) => object[k] !== undefined)
    .sort(compareKeys);
  return `{${keys.map((k) => `${jsonString(k)}:${stringifyFalcoJson(object[k] as FalcoJsonValue)}`).join(',')}}`;
}
