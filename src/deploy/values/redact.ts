/**
 * A last line of defence: decrypted secret values are replaced in anything Chartroom shows or
 * stores (Helm's error output, pod logs, diagnoses), in clear and in base64 (the form Secrets and
 * some logs carry). Short values are left alone: redacting "true" or "80" would garble every
 * message while protecting nothing.
 */
import { parse } from 'yaml';

export type Redactor = (text: string) => string;

const minLength = 6;
export const redactedMark = '[redacted]';

function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) leaves(item, out);
}

/** The values of a decrypted document worth redacting. */
export function collectSecretStrings(plain: string, format: string): string[] {
  const found: string[] = [];
  if (format === 'text') {
    found.push(plain.trim(), ...plain.split('\n').map((line) => line.trim()));
  } else {
    try {
      leaves(parse(plain) as unknown, found);
    } catch {
      found.push(...plain.split('\n').map((line) => line.trim()));
    }
  }
  // Multi-line values (certificates) also appear line by line in logs.
  const expanded = found.flatMap((value) => (value.includes('\n') ? [value, ...value.split('\n')] : [value]));
  return expanded.map((value) => value.trim()).filter((value) => value.length >= minLength);
}

export function makeRedactor(secrets: readonly string[]): Redactor {
  const needles = new Set<string>();
  for (const secret of secrets) {
    needles.add(secret);
    needles.add(Buffer.from(secret).toString('base64'));
  }
  // Longest first, so a value containing another is replaced whole.
  const ordered = [...needles]
    .filter((needle) => needle.length >= minLength)
    .sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of ordered) {
      if (out.includes(needle)) out = out.split(needle).join(redactedMark);
    }
    return out;
  };
}
