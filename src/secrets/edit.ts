/**
 * `edit`: decrypt into a 0600 file inside a private 0700 temp folder, run $SOPS_EDITOR/$EDITOR,
 * and re-encrypt. The plaintext is removed on every exit path: success, errors, an unchanged
 * file (exit 200), SIGINT/SIGTERM (the editor is stopped first), and process exit. Unchanged
 * values keep their IVs (the cipher remembers them), so git diffs show only what was edited.
 * An edit that no longer parses reopens the editor, as sops does.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { ValueCipher } from './cipher.js';
import { decryptToTree } from './decrypt.js';
import { encryptDocument } from './document.js';
import {
  emitEncrypted,
  loadPlain,
  newMetadata,
  validateForEncryption,
  type EncryptRequest,
} from './encrypt.js';
import { SecretsError } from './errors.js';
import { PrivateTempDir } from './files.js';
import { masterKeyCount, SOPS_VERSION } from './metadata.js';
import { storesFor, type SecretsRuntime } from './runtime.js';
import { splitCommandLine } from './shell.js';
import type { EncryptedDocument } from './stores/index.js';

export interface EditRequest extends Omit<EncryptRequest, 'input'> {
  /** The current file, or undefined to start from sops's example document. */
  input: Buffer | undefined;
  ignoreMac?: boolean;
  decryptionOrder?: readonly string[];
  showMasterKeys?: boolean;
  /** Shown when an edit is invalid; resolves true to reopen the editor, false to give up. */
  retry: (problem: string) => Promise<boolean>;
  /** Called with the temp file's path once it exists (tests use it to watch it disappear). */
  onTempFile?: (path: string) => void;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function findOnPath(names: string[], env: NodeJS.ProcessEnv): string | undefined {
  for (const name of names) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function editorCommand(env: NodeJS.ProcessEnv): string[] {
  for (const variable of ['SOPS_EDITOR', 'EDITOR']) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      const parts = splitCommandLine(value);
      if (parts.length === 0) throw new SecretsError('noEditorFound', `invalid $${variable}: ${value}`);
      return parts;
    }
  }
  const found = findOnPath(['vim', 'nano', 'vi'], env);
  if (found === undefined) {
    throw new SecretsError(
      'noEditorFound',
      'no editor available: set SOPS_EDITOR or EDITOR; none of vim, nano, vi could be found',
      { hint: 'For GUI editors pass their wait flag, e.g. EDITOR="code --wait".' },
    );
  }
  return [found];
}

function runEditor(rt: SecretsRuntime, file: string): Promise<void> {
  const [cmd = 'vi', ...args] = editorCommand(rt.env);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args, file], {
      stdio: 'inherit',
      env: rt.env,
      ...(rt.signal === undefined ? {} : { signal: rt.signal }),
    });
    child.on('error', (err) => {
      if (rt.signal?.aborted === true)
        reject(new SecretsError('keyboardInterrupt', 'User canceled operation', { cause: err }));
      else reject(new SecretsError('noEditorFound', `Could not run editor: ${err.message}`, { cause: err }));
    });
    child.on('exit', (code, signal) => {
      if (rt.signal?.aborted === true)
        reject(new SecretsError('keyboardInterrupt', 'User canceled operation'));
      else if (code === 0) resolve();
      else
        reject(
          new SecretsError(
            'noEditorFound',
            `Could not run editor: ${signal === null ? `exit status ${code}` : `signal: ${signal}`}`,
          ),
        );
    });
  });
}

interface SemVer {
  parts: number[];
  pre: string;
}

function semver(v: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v);
  return m ? { parts: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? '' } : undefined;
}

/** sops's version.AIsNewerThanB (semver). */
export function isNewerVersion(a: string, b: string): boolean {
  if (b.startsWith('1.')) return true;
  const va = semver(a);
  const vb = semver(b);
  if (va === undefined || vb === undefined) {
    throw new SecretsError(
      'failedToCompareVersions',
      `Failed to compare document version "${b}" with program version "${a}"`,
    );
  }
  for (let i = 0; i < 3; i++) {
    const x = va.parts[i] ?? 0;
    const y = vb.parts[i] ?? 0;
    if (x !== y) return x > y;
  }
  if (va.pre === vb.pre) return false;
  if (va.pre === '') return true;
  if (vb.pre === '') return false;
  return va.pre > vb.pre;
}

async function startingDocument(rt: SecretsRuntime, req: EditRequest) {
  const stores = storesFor(rt, req.path, req);
  if (req.input !== undefined) return decryptToTree(rt, { ...req, input: req.input });
  const branches = loadPlain(stores.input, stores.input.emitExample());
  const { metadata, dataKey } = await newMetadata(rt, stores.input, req);
  return { branches, metadata, dataKey, cipher: new ValueCipher(), ...stores };
}

export async function editContent(rt: SecretsRuntime, req: EditRequest): Promise<Buffer> {
  const doc = await startingDocument(rt, req);
  const temp = new PrivateTempDir('chartroom-secrets-', rt.env);
  const file = join(temp.path, basename(req.path));
  try {
    const initial =
      req.showMasterKeys === true ? doc.output.emitEncrypted(doc) : doc.output.emitPlain(doc.branches);
    await writeFile(file, initial, { mode: 0o600 });
    await chmod(file, 0o600);
    req.onTempFile?.(file);
    const original = sha256(initial);
    for (;;) {
      await runEditor(rt, file);
      const edited = await readFile(file);
      if (sha256(edited) === original) {
        throw new SecretsError('fileHasNotBeenModified', 'File has not changed, exiting.');
      }
      const problem = applyEdit(doc, edited, req.showMasterKeys === true);
      if (problem === undefined) break;
      if (!(await req.retry(problem))) throw new SecretsError('couldNotReadInputFile', problem);
    }
    encryptDocument(doc, doc.dataKey, doc.cipher);
    return emitEncrypted(doc.output, doc);
  } finally {
    temp.dispose();
  }

  /** Takes the edited text into `doc`; returns what is wrong with it, if anything. */
  function applyEdit(
    target: EncryptedDocument & { input: typeof doc.input; output: typeof doc.output },
    edited: Buffer,
    withKeys: boolean,
  ): string | undefined {
    let branches;
    try {
      branches = target.input.loadPlain(edited);
    } catch (cause) {
      return `Could not load tree, probably due to invalid syntax: ${(cause as Error).message}`;
    }
    if (withKeys) {
      try {
        const reloaded = target.input.loadEncrypted(edited);
        target.metadata = reloaded.metadata;
        branches = reloaded.branches;
      } catch (cause) {
        return `SOPS metadata is invalid: ${(cause as Error).message}`;
      }
    } else {
      try {
        validateForEncryption(target.output, branches);
      } catch (cause) {
        return `Tree not valid for encryption: ${(cause as Error).message}`;
      }
    }
    target.branches = branches;
    if (isNewerVersion(SOPS_VERSION, target.metadata.version)) target.metadata.version = SOPS_VERSION;
    if (masterKeyCount(target.metadata) === 0)
      return "No master keys were provided, so sops can't encrypt the file.";
    return undefined;
  }
}
