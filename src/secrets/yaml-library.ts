/**
 * The `yaml` library, loaded on first use. It takes ~50 ms to load, and the common paths never
 * need it: the fast parser (stores/yaml/fast-parse.ts) reads what sops writes and most values
 * files, and most runs find no `.sops.yaml`. Its Node build is CommonJS, so a synchronous
 * require keeps the parsers synchronous. `node:module` itself is fetched only then too: loading it
 * sets up Node's ESM loader, which the launcher's secrets bundle exists to avoid.
 */
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  loaded ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}
