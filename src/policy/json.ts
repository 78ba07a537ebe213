/** Small, total accessors for untyped manifest data: a wrong shape reads as absent, never throws. */
import type { Json } from './model.js';

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Paths are a fixed set of literals in the checks: split each once.
const splitPaths = new Map<string, string[]>();

/** Follows a dotted path through mappings; undefined as soon as a step is missing. */
export function get(value: unknown, path: string): unknown {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    splitPaths.set(path, keys);
  }
  let current: unknown = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function obj(value: unknown, path?: string): Json | undefined {
  const found = path === undefined ? value : get(value, path);
  return isObject(found) ? found : undefined;
}

export function arr(value: unknown, path?: string): unknown[] {
  const found = path === undefined ? value : get(value, path);
  return Array.isArray(found) ? found : [];
}

export function objs(value: unknown, path?: string): Json[] {
  return arr(value, path).filter(isObject);
}

export function str(value: unknown, path?: string): string | undefined {
  const found = path === undefined ? value : get(value, path);
  return typeof found === 'string' ? found : undefined;
}

export function num(value: unknown, path?: string): number | undefined {
  const found = path === undefined ? value : get(value, path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

export function bool(value: unknown, path?: string): boolean | undefined {
  const found = path === undefined ? value : get(value, path);
  return typeof found === 'boolean' ? found : undefined;
}

/** A string-to-string map (labels, annotations, matchLabels); non-string values are dropped. */
export function stringMap(value: unknown, path?: string): Record<string, string> {
  const found = obj(value, path);
  const out: Record<string, string> = {};
  if (found === undefined) return out;
  for (const [key, v] of Object.entries(found)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}

/** A scalar as text for messages (numbers, strings, booleans); anything else as JSON. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
