/**
 * The environment as text for other tools: dotenv (IDE run configurations, Node's --env-file,
 * docker compose), shell `export` lines, Docker's --env-file (one raw `KEY=value` per line, no
 * quoting), or JSON. Secret values are masked unless asked for.
 */
import type { EnvEntry } from './resolve.js';

export const envFormats = ['dotenv', 'shell', 'docker', 'json'] as const;
export type EnvFormat = (typeof envFormats)[number];

export const mask = '********';

export interface FormatOptions {
  format: EnvFormat;
  showSecrets: boolean;
  /** Comment lines at the top (not for json). */
  header?: readonly string[];
}

export interface Formatted {
  text: string;
  masked: number;
  /** Variables a format cannot hold (a newline in Docker's env-file). */
  skipped: string[];
}

function dotenvQuote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function formatEnv(entries: readonly EnvEntry[], options: FormatOptions): Formatted {
  let masked = 0;
  const skipped: string[] = [];
  const value = (entry: EnvEntry): string => {
    if (entry.secret && !options.showSecrets) {
      masked += 1;
      return mask;
    }
    return entry.value;
  };
  if (options.format === 'json') {
    const object = Object.fromEntries(entries.map((entry) => [entry.name, value(entry)]));
    return { text: `${JSON.stringify(object, null, 2)}\n`, masked, skipped };
  }
  const lines = (options.header ?? []).map((line) => `# ${line}`);
  for (const entry of entries) {
    const text = value(entry);
    switch (options.format) {
      case 'dotenv':
        lines.push(`${entry.name}=${dotenvQuote(text)}`);
        break;
      case 'shell':
        lines.push(`export ${entry.name}=${shellQuote(text)}`);
        break;
      case 'docker':
        if (/[\r\n]/.test(text)) skipped.push(entry.name);
        else lines.push(`${entry.name}=${text}`);
        break;
    }
  }
  return { text: `${lines.join('\n')}\n`, masked, skipped };
}
