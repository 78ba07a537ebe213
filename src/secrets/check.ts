/**
 * `check`: what a reviewer looks for in a repository of Helm values and sops files —
 *  - plaintext secrets in files that are not encrypted (secret-looking keys with real values,
 *    and well-known credential formats such as AWS keys, private keys, tokens);
 *  - files that a `.sops.yaml` creation rule covers (by its `path_regex`) but that are not
 *    encrypted;
 *  - keys present in one environment's secrets but missing from another's
 *    (`secrets.staging.yaml` vs `secrets.production.yaml`, or `envs/<env>/secrets.yaml`).
 * Keys of sops files are in clear, so the last check needs no decryption key.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Node } from 'yaml';
import { yamlLibrary } from './yaml-library.js';
import { CONFIG_FILE_NAME, SopsConfig } from './config.js';
import { formatForPath, storeFor } from './stores/index.js';
import { isSopsFile } from './status.js';
import { TreeBranch, type TreeValue } from './tree.js';

export type FindingKind = 'plaintext-secret' | 'not-encrypted' | 'missing-key';

export interface Finding {
  kind: FindingKind;
  file: string;
  line?: number;
  key?: string;
  message: string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', 'vendor', 'dist']);
const STRUCTURED = new Set(['.yaml', '.yml', '.json', '.env', '.ini']);
const SECRET_KEY =
  /(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|signing[_-]?key|encryption[_-]?key|dsn|connection[_-]?string)$/i;
const PLACEHOLDER =
  /^(|~|null|true|false|changeme_?later|<[^>]*>|\*+|x+|\.\.\.|TODO|TBD|REPLACE_?ME|none|example)$/i;
const REFERENCE =
  /(\{\{.*\}\}|\$\{[^}]+\}|^\$[A-Z_]+$|^ref\+|^secrets(\+[a-z-]+)?:\/\/|^ENC\[|^vault:|^arn:aws|^\/|^https?:\/\/[^@]*$|valueFrom|secretKeyRef)/;

/** Value shapes that are secrets whatever the key is called. */
const SECRET_VALUES: [string, RegExp][] = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----/],
  ['age secret key', /AGE-SECRET-KEY-1[0-9A-Z]{58}/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['credentials in a URL', /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
  ['JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
];

async function walk(root: string, out: string[]): Promise<void> {
  const s = await stat(root);
  if (s.isFile()) {
    out.push(root);
    return;
  }
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(join(root, entry.name), out);
    } else if (entry.isFile()) {
      out.push(join(root, entry.name));
    }
  }
}

interface ScalarHit {
  key: string;
  value: string;
  line: number;
}

function yamlScalars(text: string): ScalarHit[] {
  const { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } = yamlLibrary();
  const counter = new LineCounter();
  const hits: ScalarHit[] = [];
  const visit = (node: Node | null, path: string): void => {
    if (node === null) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        visit(pair.value as Node | null, path === '' ? key : `${path}.${key}`);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item as Node | null, `${path}[${i}]`);
      });
    } else if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      hits.push({
        key: path,
        value: typeof node.value === 'string' ? node.value : JSON.stringify(node.value),
        line: counter.linePos(node.range?.[0] ?? 0).line,
      });
    }
  };
  for (const doc of parseAllDocuments(text, {
    lineCounter: counter,
    schema: 'failsafe',
    uniqueKeys: false,
  })) {
    if (doc.errors.length === 0) visit(doc.contents, '');
  }
  return hits;
}

function lineScalars(text: string, separator: RegExp): ScalarHit[] {
  const hits: ScalarHit[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) return;
    const m = separator.exec(line);
    if (!m) return;
    const key = line
      .slice(0, m.index)
      .trim()
      .replace(/^export\s+/, '');
    const value = line
      .slice(m.index + m[0].length)
      .trim()
      .replace(/^["']|["']$/g, '');
    hits.push({ key, value, line: i + 1 });
  });
  return hits;
}

function scalarsOf(file: string, text: string): ScalarHit[] {
  const ext = extname(file);
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') return yamlScalars(text);
  if (ext === '.env') return lineScalars(text, /=/);
  if (ext === '.ini') return lineScalars(text, /[=:]/);
  return [];
}

function plaintextSecrets(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const hit of scalarsOf(file, text)) {
    const leaf = (hit.key.split('.').pop() ?? '').replace(/\[\d+\]$/, '');
    const shape = SECRET_VALUES.find(([, re]) => re.test(hit.value));
    if (shape !== undefined) {
      findings.push({
        kind: 'plaintext-secret',
        file,
        line: hit.line,
        key: hit.key,
        message: `${shape[0]} in clear`,
      });
    } else if (SECRET_KEY.test(leaf) && !PLACEHOLDER.test(hit.value) && !REFERENCE.test(hit.value)) {
      findings.push({
        kind: 'plaintext-secret',
        file,
        line: hit.line,
        key: hit.key,
        message: `secret-looking key "${leaf}" has a value in clear`,
      });
    }
  }
  return findings;
}

/** Leaf key paths of a tree (list positions collapsed to []). */
function keyPaths(value: TreeValue, prefix: string, out: Set<string>): void {
  if (value instanceof TreeBranch) {
    for (const [k, v] of value.entries()) keyPaths(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (Array.isArray(value)) {
    for (const v of value) keyPaths(v, `${prefix}[]`, out);
  } else {
    out.add(prefix);
  }
}

function keysOf(file: string, data: Buffer): Set<string> | undefined {
  try {
    const store = storeFor(formatForPath(file));
    if (store.singleValue) return undefined;
    const { branches } = store.loadEncrypted(data);
    const out = new Set<string>();
    for (const b of branches) keyPaths(b, '', out);
    return out;
  } catch {
    return undefined;
  }
}

/** Groups of files that are the same secrets for different environments. */
function environmentGroups(files: string[]): string[][] {
  const groups = new Map<string, string[]>();
  const add = (id: string, file: string): void => {
    const g = groups.get(id) ?? [];
    g.push(file);
    groups.set(id, g);
  };
  for (const file of files) {
    const name = basename(file);
    const m = /^(.+)\.([^.]+)\.(ya?ml|json|env|ini)$/.exec(name);
    if (m) add(`${dirname(file)}${sep}${m[1]}.*.${m[3]}`, file);
    // envs/<env>/secrets.yaml: same name in sibling folders.
    add(`${dirname(dirname(file))}${sep}*${sep}${name}`, file);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function missingKeys(sopsFiles: Map<string, Buffer>): Finding[] {
  const findings: Finding[] = [];
  for (const group of environmentGroups([...sopsFiles.keys()])) {
    const keys = new Map<string, Set<string>>();
    for (const f of group) {
      const data = sopsFiles.get(f);
      const k = data === undefined ? undefined : keysOf(f, data);
      if (k !== undefined) keys.set(f, k);
    }
    if (keys.size < 2) continue;
    const all = new Set<string>();
    for (const k of keys.values()) for (const key of k) all.add(key);
    for (const [file, k] of keys) {
      for (const key of all) {
        if (k.has(key)) continue;
        const having = [...keys.entries()]
          .filter(([, s]) => s.has(key))
          .map(([f]) => basename(dirname(f)) + sep + basename(f));
        findings.push({
          kind: 'missing-key',
          file,
          key,
          message: `key "${key}" is missing here but present in ${having.join(', ')}`,
        });
      }
    }
  }
  return findings;
}

/** The `.sops.yaml` governing a file: the nearest one in its folder or above (cached). */
function configLookup(): (file: string) => SopsConfig | undefined {
  const cache = new Map<string, SopsConfig | undefined>();
  const at = (dir: string): SopsConfig | undefined => {
    if (cache.has(dir)) return cache.get(dir);
    const candidate = join(dir, CONFIG_FILE_NAME);
    let found: SopsConfig | undefined;
    if (existsSync(candidate)) found = SopsConfig.load(candidate);
    else found = dir === dirname(dir) ? undefined : at(dirname(dir));
    cache.set(dir, found);
    return found;
  };
  return (file) => at(dirname(file));
}

export interface CheckResult {
  files: number;
  findings: Finding[];
}

export async function checkPaths(cwd: string, paths: string[]): Promise<CheckResult> {
  const roots = (paths.length === 0 ? ['.'] : paths).map((p) => resolve(cwd, p));
  const files: string[] = [];
  for (const root of roots) await walk(root, files);
  const configFor = configLookup();
  const findings: Finding[] = [];
  const sopsFiles = new Map<string, Buffer>();
  for (const file of files) {
    if (basename(file) === CONFIG_FILE_NAME) continue;
    const data = await readFile(file);
    const encrypted = isSopsFile(data, file);
    if (encrypted) {
      sopsFiles.set(file, data);
      continue;
    }
    const config = configFor(file);
    if (config?.coversByPathRegex(file) === true) {
      findings.push({
        kind: 'not-encrypted',
        file,
        message: `a creation rule of ${relative(cwd, config.path) || config.path} covers this file, but it is not encrypted`,
      });
    }
    if (STRUCTURED.has(extname(file))) findings.push(...plaintextSecrets(file, data.toString('utf8')));
  }
  findings.push(...missingKeys(sopsFiles));
  for (const f of findings) f.file = relative(cwd, f.file) || f.file;
  return { files: files.length, findings };
}
