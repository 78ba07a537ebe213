/**
 * Reading parsed JSON the way Falco's Go plugins read it with fastjson: a key lookup on an object,
 * a numeric key on an array indexes it, anything else is "not there"; JSON `null` is a present
 * value whose text is `null`; non-string values are read as their minified JSON text.
 */

/**
 * Marks "not available" (distinct from a present JSON null). Functions below return either a JSON
 * value or this marker, typed `unknown` since a JSON value may be anything.
 */
export const missing: unique symbol = Symbol('missing');
export type Json = unknown;

export function child(value: Json, key: string): unknown {
  if (typeof value !== 'object' || value === null) return missing;
  if (!Array.isArray(value)) {
    const own = (value as Record<string, unknown>)[key];
    // An own property, not one inherited from Object.prototype (`constructor`, `__proto__`).
    if (own !== undefined && Object.prototype.hasOwnProperty.call(value, key)) return own;
    return missing;
  }
  if (!/^(0|[1-9][0-9]*)$/.test(key)) return missing;
  const item: unknown = value[Number(key)];
  return item === undefined ? missing : item;
}

export function path(value: Json, keys: readonly string[]): unknown {
  let current: Json = value;
  for (const key of keys) {
    // Hot path for the common case: plain objects along the way.
    if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      const next = (current as Record<string, unknown>)[key];
      if (next === undefined) return missing;
      current = next;
      continue;
    }
    const next = child(current, key);
    if (next === missing) return missing;
    current = next;
  }
  return current;
}

/** A JSON value as text: strings as they are, everything else minified. */
export function asText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Walks `keys` from `value`, fanning out over every array met on the way (or picking element
 * `index` of it when an index is given). Elements where the walk fails yield `missing`, so the
 * caller can skip them or substitute a default, as the k8saudit plugin does.
 */
export function fanOut(
  value: Json,
  keys: readonly string[],
  index: number | undefined,
  from = 0,
): unknown[] | typeof missing {
  let current: Json = value;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(current)) {
      if (index === undefined) {
        const out: unknown[] = [];
        for (const element of current) {
          const values = fanOut(element, keys, undefined, i);
          if (values === missing) out.push(missing);
          else out.push(...values);
        }
        return out;
      }
      if (index >= current.length) return missing;
      current = current[index] as Json;
    }
    const key = keys[i] as string;
    const next = key === '' ? current : child(current, key);
    if (next === missing) return missing;
    current = next;
  }
  return [current];
}

/** Strings of the present values, skipping missing ones. */
export function textsSkippingMissing(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== missing) out.push(asText(v));
  return out;
}

/** Strings of all values, or `missing` when any is missing (the plugin's arrayAsStrings). */
export function textsOrMissing(values: readonly unknown[]): string[] | typeof missing {
  const out: string[] = [];
  for (const v of values) {
    if (v === missing) return missing;
    out.push(asText(v));
  }
  return out;
}

/** Splits an RFC 6901 JSON pointer (`/a/b~1c`) into keys; the leading slash is optional, as in the json plugin. */
export function pointerKeys(pointerText: string): string[] {
  return (pointerText.startsWith('/') ? pointerText.slice(1) : pointerText)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Walks a JSON pointer given as keys (see pointerKeys); an empty pointer is the whole value. */
export function pointer(value: Json, keys: readonly string[] | undefined): unknown {
  if (keys === undefined) return value;
  let current: Json = value;
  for (const key of keys) {
    const next = child(current, key);
    if (next === missing) return missing;
    current = next;
  }
  return current;
}
