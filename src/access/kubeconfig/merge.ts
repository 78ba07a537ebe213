/**
 * Merges entries into a kubeconfig file without disturbing anything else in it: other clusters,
 * users and contexts, comments and key order stay as they were. Entries with our names are
 * replaced in place. The file is written to a temp file in the same folder and renamed (never
 * half-written) with mode 0600, since kubeconfigs hold credentials.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import type { KubeconfigEntries } from './entries.js';

/** --kubeconfig, else the first KUBECONFIG entry, else ~/.kube/config (as kubectl writes). */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((entry) => entry !== '');
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

export interface MergeResult {
  path: string;
  text: string;
  added: string[];
  replaced: string[];
}

export async function mergeIntoKubeconfig(options: {
  path: string;
  entries: readonly KubeconfigEntries[];
  setCurrentContext: boolean;
  write: boolean;
}): Promise<MergeResult> {
  let existing = '';
  try {
    existing = await readFile(options.path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const doc =
    existing.trim() === ''
      ? parseDocument(
          'apiVersion: v1\nkind: Config\npreferences: {}\nclusters: []\nusers: []\ncontexts: []\n',
        )
      : parseDocument(existing);
  const yamlError = doc.errors[0];
  if (yamlError !== undefined || !isMap(doc.contents)) {
    throw new ConfigError(
      `${options.path} is not a valid kubeconfig${yamlError === undefined ? '' : `: ${yamlError.message.split('\n')[0] ?? ''}`}`,
      'Fix or move the file; it was left untouched.',
    );
  }
  const added: string[] = [];
  const replaced: string[] = [];
  for (const entry of options.entries) {
    for (const [section, item] of [
      ['clusters', entry.cluster],
      ['users', entry.user],
      ['contexts', entry.context],
    ] as const) {
      (upsert(doc, section, item) ? replaced : added).push(`${section.slice(0, -1)} ${item.name}`);
    }
  }
  const last = options.entries.at(-1);
  if (options.setCurrentContext && last !== undefined) doc.set('current-context', last.contextName);
  const text = doc.toString({ lineWidth: 0 });
  if (options.write) writeAtomically(options.path, text);
  return { path: options.path, text, added, replaced };
}

/** Replaces the item with the same name, or appends it. True when it replaced. */
function upsert(doc: Document, section: string, item: { name: string }): boolean {
  const current = doc.get(section, true);
  if (current !== undefined && current !== null && !isSeq(current) && !isEmptyScalar(current)) {
    throw new ConfigError(
      `the kubeconfig's ${section} is not a list`,
      'Fix the file; it was left untouched.',
    );
  }
  let seq: YAMLSeq;
  if (isSeq(current)) {
    seq = current;
  } else {
    seq = new YAMLSeq();
    doc.set(section, seq);
  }
  const node = doc.createNode(item);
  const index = seq.items.findIndex((existing) => isMap(existing) && existing.get('name') === item.name);
  if (index >= 0) {
    seq.items[index] = node;
    return true;
  }
  seq.items.push(node);
  return false;
}

function isEmptyScalar(node: unknown): boolean {
  return typeof node === 'object' && node !== null && 'value' in node && node.value === null;
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, text, { mode: 0o600 });
}
