/** `set` and `unset`: change one value in place; unchanged values keep their ciphertext. */
import { encryptDocument } from './document.js';
import { SecretsError } from './errors.js';
import { decryptToTree } from './decrypt.js';
import { emitEncrypted, validateForEncryption } from './encrypt.js';
import type { SecretsRuntime } from './runtime.js';
import { parseJsonObject } from './stores/json.js';
import { TreeBranch, type TreePath, type TreeValue } from './tree.js';
import { KeyNotFoundError, setPath, unsetPath } from './treepath.js';

/**
 * sops's jsonValueToTreeInsertableValue: a JSON scalar becomes a value (numbers as float64, as
 * Go's json.Unmarshal does), an object a subtree; arrays are refused as sops refuses them.
 */
export function jsonToTreeValue(json: string): TreeValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SecretsError('invalidSetFormat', 'Value for --set is not valid JSON', {
      hint: 'Quote strings: \'"value"\'.',
    });
  }
  if (parsed !== null && typeof parsed === 'object') {
    try {
      return parseJsonObject(json);
    } catch {
      throw new SecretsError('invalidSetFormat', 'Invalid --set value format', {
        hint: 'The value must be a JSON scalar or object.',
      });
    }
  }
  if (
    typeof parsed === 'string' ||
    typeof parsed === 'boolean' ||
    typeof parsed === 'number' ||
    parsed === null
  )
    return parsed;
  throw new SecretsError('invalidSetFormat', 'Invalid --set value format');
}

export interface ModifyRequest {
  input: Buffer;
  path: string;
  inputType?: string;
  outputType?: string;
  indent?: number;
  ignoreMac?: boolean;
  decryptionOrder?: readonly string[];
  treePath: TreePath;
}

export async function setContent(
  rt: SecretsRuntime,
  req: ModifyRequest & { value: TreeValue },
): Promise<{ output: Buffer; changed: boolean }> {
  const doc = await decryptToTree(rt, req);
  const first = doc.branches[0] ?? new TreeBranch();
  if (doc.branches.length === 0) doc.branches.push(first);
  const changed = setPath(first, req.treePath, req.value);
  validateForEncryption(doc.output, doc.branches);
  encryptDocument(doc, doc.dataKey, doc.cipher);
  return { output: emitEncrypted(doc.output, doc), changed };
}

export class NothingToUnsetError extends SecretsError {}

export async function unsetContent(rt: SecretsRuntime, req: ModifyRequest): Promise<Buffer> {
  const doc = await decryptToTree(rt, req);
  try {
    unsetPath(doc.branches[0] ?? new TreeBranch(), req.treePath);
  } catch (cause) {
    if (cause instanceof KeyNotFoundError) throw new NothingToUnsetError('generic', cause.message, { cause });
    throw cause;
  }
  encryptDocument(doc, doc.dataKey, doc.cipher);
  return emitEncrypted(doc.output, doc);
}
