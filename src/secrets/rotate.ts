/**
 * `rotate` (a new data key, every value re-encrypted, recipients optionally added or removed)
 * and `updatekeys` (the existing data key re-wrapped for the keys the creation rule now names;
 * values, MAC and `lastmodified` untouched) — the two halves of removing someone's access.
 */
import { encryptDocument } from './document.js';
import { SecretsError } from './errors.js';
import { contextFromFlag, keysFromFlags, loadConfig, type KeyFlags } from './keysources.js';
import { newDataKey, wrapDataKey, type KeyGroup } from './keys/datakey.js';
import type { MasterKey } from './keys/types.js';
import { decryptToTree } from './decrypt.js';
import { emitEncrypted } from './encrypt.js';
import { keyContext, loadEncrypted, storesFor, type SecretsRuntime } from './runtime.js';
import { recoverDataKey } from './document.js';

export interface RotateRequest {
  input: Buffer;
  path: string;
  inputType?: string;
  outputType?: string;
  indent?: number;
  ignoreMac?: boolean;
  decryptionOrder?: readonly string[];
  add?: KeyFlags;
  remove?: KeyFlags;
}

async function rewrap(
  rt: SecretsRuntime,
  groups: KeyGroup[],
  threshold: number,
  dataKey: Uint8Array,
): Promise<number> {
  try {
    return await wrapDataKey(groups, threshold, dataKey, keyContext(rt));
  } catch (cause) {
    if (rt.signal?.aborted === true) throw cause;
    throw new SecretsError('generic', (cause as Error).message, { cause });
  }
}

export async function rotateContent(rt: SecretsRuntime, req: RotateRequest): Promise<Buffer> {
  const doc = await decryptToTree(rt, req);
  const groups = doc.metadata.keyGroups;
  const context = contextFromFlag(req.add?.encryptionContext ?? req.remove?.encryptionContext);
  const added = keysFromFlags(req.add ?? {}, context);
  const removed = new Set(keysFromFlags(req.remove ?? {}, context).map((k) => k.id()));
  groups[0]?.push(...added);
  groups.forEach((group, i) => {
    groups[i] = group.filter((k) => !removed.has(k.id()));
  });
  for (const group of groups) for (const key of group) key.encryptedKey = '';
  const dataKey = newDataKey();
  doc.metadata.shamirThreshold = await rewrap(rt, groups, doc.metadata.shamirThreshold, dataKey);
  encryptDocument(doc, dataKey, doc.cipher);
  return emitEncrypted(doc.output, doc);
}

export interface GroupDiff {
  common: string[];
  added: string[];
  removed: string[];
}

/** sops's DiffKeyGroups, by key id. */
export function diffKeyGroups(ours: KeyGroup[], theirs: KeyGroup[]): GroupDiff[] {
  const out: GroupDiff[] = [];
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const a = ours[i] ?? [];
    const b = theirs[i] ?? [];
    const aIds = new Set(a.map((k) => k.id()));
    const bIds = new Set(b.map((k) => k.id()));
    out.push({
      common: b.filter((k) => aIds.has(k.id())).map((k) => k.id()),
      added: b.filter((k) => !aIds.has(k.id())).map((k) => k.id()),
      removed: a.filter((k) => !bIds.has(k.id())).map((k) => k.id()),
    });
  }
  return out;
}

export interface UpdateKeysRequest {
  input: Buffer;
  path: string;
  inputType?: string;
  shamirThreshold?: number;
  decryptionOrder?: readonly string[];
  /** Asked before writing (sops's interactive prompt); false keeps the file unchanged. */
  confirm?: (plan: UpdateKeysPlan) => Promise<boolean>;
}

export interface UpdateKeysPlan {
  groups: GroupDiff[];
  thresholdFrom: number;
  thresholdTo: number;
}

export type UpdateKeysResult =
  | { changed: false; reason: 'up-to-date' | 'declined'; plan?: UpdateKeysPlan }
  | { changed: true; output: Buffer; plan: UpdateKeysPlan };

export async function updateKeysContent(
  rt: SecretsRuntime,
  req: UpdateKeysRequest,
): Promise<UpdateKeysResult> {
  const { input: store } = storesFor(rt, req.path, { inputType: req.inputType });
  const doc = loadEncrypted(store, req.input);
  let rule;
  try {
    const config = loadConfig({
      cwd: rt.cwd,
      ...(rt.configPath === undefined ? {} : { configPath: rt.configPath }),
    });
    if (config === undefined) throw new Error('config file not found');
    rule = config.creationRuleFor(req.path, {});
    if (rule === undefined)
      throw new Error(`The config file ${config.path} does not contain any creation rule`);
  } catch (cause) {
    throw new SecretsError('generic', (cause as Error).message, { cause });
  }
  const groups = diffKeyGroups(doc.metadata.keyGroups, rule.keyGroups);
  const keysChange = groups.some((g) => g.added.length > 0 || g.removed.length > 0);
  let threshold = doc.metadata.shamirThreshold;
  if (req.shamirThreshold !== undefined && req.shamirThreshold !== 0) threshold = req.shamirThreshold;
  threshold = Math.min(threshold, rule.keyGroups.length);
  const plan: UpdateKeysPlan = {
    groups,
    thresholdFrom: doc.metadata.shamirThreshold,
    thresholdTo: threshold,
  };
  if (!keysChange && threshold === doc.metadata.shamirThreshold)
    return { changed: false, reason: 'up-to-date', plan };
  if (req.confirm !== undefined && !(await req.confirm(plan)))
    return { changed: false, reason: 'declined', plan };
  const dataKey = await recoverDataKey(doc, {
    ctx: keyContext(rt),
    ...(req.decryptionOrder === undefined ? {} : { decryptionOrder: req.decryptionOrder }),
  });
  const newGroups: KeyGroup[] = rule.keyGroups.map((g: MasterKey[]) => [...g]);
  doc.metadata.keyGroups = newGroups;
  doc.metadata.shamirThreshold = threshold;
  doc.metadata.shamirThreshold = await rewrap(rt, newGroups, threshold, dataKey);
  return { changed: true, output: emitEncrypted(store, doc), plan };
}
