/**
 * Ignore files with expiry dates. Two shapes are read:
 * - Trivy's `.trivyignore`: one id per line, `#` comments, optional `exp:YYYY-MM-DD`;
 * - YAML: `ignore:` (or Trivy's `vulnerabilities:`) entries of `{id, package?, image?, expires?
 *   (or expired_at), reason? (or statement)}`.
 * An expired rule no longer hides anything and is reported, so accepted risks get looked at again.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../../core/errors.js';

export interface IgnoreRule {
  id: string;
  package?: string;
  image?: string;
  /** ISO date (inclusive): the rule stops applying the day after. */
  expires?: string;
  reason?: string;
  /** `file:line` for messages. */
  origin: string;
}

function validDate(text: string, origin: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new ConfigError(`${origin}: "${text}" is not a date`, 'Write expiry dates as YYYY-MM-DD.');
  }
  return text;
}

export function parseIgnoreFile(text: string, file: string): IgnoreRule[] {
  const trimmed = text.trimStart();
  if (
    /^(ignore|vulnerabilities)\s*:/m.test(trimmed) &&
    !/^[A-Z]+-[\w-]+\s*(exp:.*)?$/m.test(trimmed.split('\n')[0] ?? '')
  ) {
    return parseYamlIgnore(text, file);
  }
  const rules: IgnoreRule[] = [];
  text.split('\n').forEach((line, index) => {
    const content = line.replace(/#.*/, '').trim();
    if (content === '') return;
    const [id, ...rest] = content.split(/\s+/);
    const origin = `${file}:${index + 1}`;
    const expiry = rest.find((part) => part.startsWith('exp:'));
    rules.push({
      id: id ?? '',
      origin,
      ...(expiry === undefined ? {} : { expires: validDate(expiry.slice(4), origin) }),
    });
  });
  return rules;
}

function parseYamlIgnore(text: string, file: string): IgnoreRule[] {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid YAML: ${(error as Error).message}`,
      'Fix the ignore file.',
      error,
    );
  }
  const record = (value ?? {}) as Record<string, unknown>;
  const list = record.ignore ?? record.vulnerabilities ?? [];
  if (!Array.isArray(list))
    throw new ConfigError(
      `${file}: ignore must be a list`,
      'ignore: [{id: CVE-…, expires: 2026-12-31, reason: …}]',
    );
  return list.map((raw: unknown, index) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const origin = `${file}: entry ${index + 1}`;
    const id = entry.id ?? entry.vulnerability;
    if (typeof id !== 'string' || id === '')
      throw new ConfigError(`${origin} has no id`, 'Each entry needs id: CVE-…');
    const expires = entry.expires ?? entry.expired_at;
    const reason = entry.reason ?? entry.statement;
    return {
      id,
      origin,
      ...(typeof entry.package === 'string' ? { package: entry.package } : {}),
      ...(typeof entry.image === 'string' ? { image: entry.image } : {}),
      ...(expires === undefined
        ? {}
        : {
            expires: validDate(
              expires instanceof Date
                ? expires.toISOString().slice(0, 10)
                : typeof expires === 'string'
                  ? expires
                  : JSON.stringify(expires),
              origin,
            ),
          }),
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  });
}

export async function loadIgnoreFile(file: string): Promise<IgnoreRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the ignore file ${file}: ${(error as Error).message}`,
      'Check the path.',
      error,
    );
  }
  return parseIgnoreFile(text, file);
}

export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.getTime() > Date.parse(`${rule.expires}T23:59:59.999Z`);
}
