/** Store selection by file extension or `--input-type`/`--output-type`, as sops's formats.go. */
import { BinaryStore } from './binary.js';
import { DotenvStore } from './dotenv.js';
import { IniStore } from './ini.js';
import { JsonStore } from './json.js';
import { YamlStore } from './yaml.js';
import { FORMATS, type Format, type Store } from './types.js';

export * from './types.js';

/** Per-format settings from `.sops.yaml`'s `stores:` section (indent only, as sops). */
export interface StoresConfig {
  yaml?: { indent?: number };
  json?: { indent?: number };
  json_binary?: { indent?: number };
}

export function formatForPath(path: string): Format {
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.env')) return 'dotenv';
  if (path.endsWith('.ini')) return 'ini';
  return 'binary';
}

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** sops falls back to the file extension when a type name is unknown. */
export function formatFor(path: string, explicit: string | undefined): Format {
  return explicit !== undefined && isFormat(explicit) ? explicit : formatForPath(path);
}

export function storeFor(format: Format, config: StoresConfig = {}, indentOverride?: number): Store {
  switch (format) {
    case 'yaml':
      return new YamlStore({ indent: indentOverride ?? config.yaml?.indent ?? 0 });
    case 'json':
      return new JsonStore({ indent: indentOverride ?? config.json?.indent ?? -1 });
    case 'binary':
      return new BinaryStore({ indent: indentOverride ?? config.json_binary?.indent ?? -1 });
    case 'dotenv':
      return new DotenvStore();
    case 'ini':
      return new IniStore();
  }
}
