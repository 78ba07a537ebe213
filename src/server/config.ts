import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, isNodeSystemError } from '../core/errors.js';

/**
 * chartroom-server.yaml: the server's own settings, plus one section per capability (previews,
 * access, runtime, …). A capability validates its own section with its own schema; the server only
 * checks that sections are objects.
 */
export const serverConfigSchema = z
  .object({
    listen: z.union([z.string(), z.number().int()]).transform(String).default('127.0.0.1:8080'),
    /** How users and git hosts reach this server (links in the dashboard, webhook URLs). */
    publicUrl: z.url().optional(),
    /** Folder for the embedded SQLite database and other state. */
    dataDir: z.string().optional(),
    /** postgres://… to share state between several servers; SQLite in dataDir otherwise. */
    database: z.string().optional(),
    kubeconfig: z.string().optional(),
    kubeContext: z.string().optional(),
    tls: z
      .object({
        cert: z.string(),
        key: z.string(),
        /** Require and verify client certificates signed by this CA (for API server webhooks). */
        clientCa: z.string().optional(),
      })
      .strict()
      .optional(),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info') })
      .default({ level: 'info' }),
  })
  .loose();

export type ServerConfig = z.infer<typeof serverConfigSchema>;

const ownKeys = new Set([
  'listen',
  'publicUrl',
  'dataDir',
  'database',
  'kubeconfig',
  'kubeContext',
  'tls',
  'log',
]);

export interface LoadedServerConfig extends ServerConfig {
  /** The folder relative paths in the file are resolved against. */
  baseDir: string;
  /** The capabilities' sections (previews, access, runtime, …), as written. */
  sections: Record<string, unknown>;
}

/** Parses and validates a config file; errors name the file and the field at fault. */
export function loadServerConfig(
  path: string | undefined,
  overrides:
    | Record<'listen' | 'database' | 'dataDir' | 'kubeconfig', string | undefined>
    | Partial<Record<'listen' | 'database' | 'dataDir' | 'kubeconfig', string>> = {},
): LoadedServerConfig {
  let raw: unknown = {};
  let baseDir = process.cwd();
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `cannot read ${path}${unreadableBecause(error)}`,
        'Check the path given to --config.',
        error,
      );
    }
    const document = parseDocument(text);
    if (document.errors.length > 0) {
      const first = document.errors[0];
      const where =
        first?.linePos?.[0] === undefined ? '' : `:${first.linePos[0].line}:${first.linePos[0].col}`;
      throw new ConfigError(
        `${path}${where}: ${first?.message.split('\n')[0] ?? 'invalid YAML'}`,
        'Fix the YAML syntax.',
      );
    }
    raw = document.toJS() ?? {};
    // A scalar or a list would be spread into settings named "0", "1", … and the server started.
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError(
        `${path}: expected a mapping of settings (listen, dataDir, previews, …), found ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`,
        'See docs/server.md for the settings.',
      );
    baseDir = dirname(resolve(path));
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const parsed = serverConfigSchema.safeParse({ ...(raw as object), ...defined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new ConfigError(
      `${path ?? 'server config'}: ${field === '' ? '' : `${field}: `}${issue?.message ?? 'invalid'}`,
      'See docs/server.md for the settings.',
    );
  }
  const sections = Object.fromEntries(Object.entries(parsed.data).filter(([key]) => !ownKeys.has(key)));
  return { ...parsed.data, baseDir, sections };
}

function unreadableBecause(error: unknown): string {
  if (!isNodeSystemError(error)) return '';
  if (error.code === 'ENOENT') return ': no such file';
  if (error.code === 'EISDIR') return ': it is a folder';
  if (error.code === 'EACCES' || error.code === 'EPERM') return ': permission denied';
  return `: ${error.code}`;
}

/** Host and port from "host:port" (or a bare port). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(listen);
  if (match === null)
    throw new ConfigError(`invalid listen address "${listen}"`, 'Use host:port, e.g. 127.0.0.1:8080.');
  return { host: match[1] ?? '127.0.0.1', port: Number(match[2]) };
}
