/**
 * The `sops` metadata block: reading every layout sops has written (3.13's sorted keys, the
 * older struct order, `kms: []` or `null` for empty lists, string values in dotenv/INI) and
 * writing the 3.13 layout (keys sorted at every level, empty lists omitted, `aws_profile` always).
 */
import { Comment, TreeBranch, type TreeItem, type TreeValue } from './tree.js';
import { GoTime, parseRfc3339 } from './gotime.js';
import type { CryptRules } from './crypt.js';
import { parseGoBool, parseGoFloat, parseGoIntBase0, formatFloatG } from './gofmt.js';
import { AgeKey } from './keys/age.js';
import { PgpKey } from './keys/pgp.js';
import { KmsKey } from './keys/kms.js';
import { OpaqueKey, GROUP_TYPE_ORDER, type KeyType, type MasterKey } from './keys/types.js';
import type { KeyGroup } from './keys/datakey.js';

/** The sops version whose layout and behaviour Chartroom writes. */
export const SOPS_VERSION = '3.13.2';
export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

export interface Metadata extends CryptRules {
  keyGroups: KeyGroup[];
  /** 0 when unset (one group, or "all groups"). */
  shamirThreshold: number;
  lastModified: GoTime;
  /** The encrypted MAC as stored (`ENC[…]`), "" when missing. */
  mac: string;
  version: string;
}

export const RULE_FIELDS = [
  ['unencryptedSuffix', 'unencrypted_suffix'],
  ['encryptedSuffix', 'encrypted_suffix'],
  ['unencryptedRegex', 'unencrypted_regex'],
  ['encryptedRegex', 'encrypted_regex'],
  ['unencryptedCommentRegex', 'unencrypted_comment_regex'],
  ['encryptedCommentRegex', 'encrypted_comment_regex'],
] as const;

export const CRYPT_RULE_CONFLICT =
  'Cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file';

// ---------------------------------------------------------------------------------------------
// Reading

type Plain = string | number | bigint | boolean | null | Plain[] | { [k: string]: Plain } | undefined;

/** TreeBranch → plain objects (comments dropped), like sops's sopsToGo. */
function toPlain(value: TreeValue): Plain {
  if (value instanceof TreeBranch) {
    const out: Record<string, Plain> = {};
    for (const [k, v] of value.entries()) out[k] = toPlain(v);
    return out;
  }
  if (Array.isArray(value)) return value.filter((v) => !(v instanceof Comment)).map(toPlain);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof GoTime) return value.text;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return null;
}

/** mapstructure's weakly typed string. */
function str(v: Plain, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloatG(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  throw new Error(`'${field}' expected type 'string', got unconvertible type`);
}

function int(v: Plain, field: string): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const parsed = parseGoIntBase0(v);
    if (parsed?.kind === 'int') return Number(parsed.value);
    const f = parseGoFloat(v);
    if (f !== undefined) return Math.trunc(f);
  }
  throw new Error(`cannot parse '${field}' as int`);
}

function bool(v: Plain, field: string): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const b = parseGoBool(v);
    if (b !== undefined) return b;
  }
  throw new Error(`cannot parse '${field}' as bool`);
}

function list(v: Plain, field: string): Record<string, Plain>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`'${field}': source data must be an array or slice`);
  return v.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new Error(`'${field}' items must be maps`);
    return item;
  });
}

function createdAt(v: Plain): string {
  const s = str(v, 'created_at');
  if (parseRfc3339(s) === undefined)
    throw new Error(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  return s;
}

function keyFrom(type: KeyType, entry: Record<string, Plain>): MasterKey {
  const enc = str(entry.enc, 'enc');
  switch (type) {
    case 'age':
      return new AgeKey(str(entry.recipient, 'recipient'), enc);
    case 'pgp':
      return new PgpKey(str(entry.fp, 'fp'), enc, createdAt(entry.created_at));
    case 'kms': {
      const ctx = entry.context;
      let context: Record<string, string> | undefined;
      if (ctx !== undefined && ctx !== null && typeof ctx === 'object' && !Array.isArray(ctx)) {
        context = {};
        for (const [k, v] of Object.entries(ctx))
          if (v !== null && v !== undefined) context[k] = str(v, 'context');
      }
      return new KmsKey({
        arn: str(entry.arn, 'arn'),
        role: str(entry.role, 'role'),
        ...(context === undefined ? {} : { context }),
        awsProfile: str(entry.aws_profile, 'aws_profile'),
        encryptedKey: enc,
        createdAt: createdAt(entry.created_at),
      });
    }
    case 'gcp_kms':
    case 'azure_kv':
    case 'hc_vault':
    case 'hckms': {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(entry)) fields[k] = str(v, k);
      if (entry.created_at !== undefined) createdAt(entry.created_at);
      return new OpaqueKey(type, fields);
    }
  }
}

function groupFrom(source: Record<string, Plain>): KeyGroup {
  const group: KeyGroup = [];
  for (const type of GROUP_TYPE_ORDER) {
    const field = type === 'azure_kv' ? 'azure_kv' : type;
    for (const entry of list(source[field], field)) group.push(keyFrom(type, entry));
  }
  return group;
}

/** sops's ExtractMetadata → ToInternal, from the (unflattened) `sops` mapping. */
export function metadataFromTree(branch: TreeBranch): Metadata {
  const m = toPlain(branch) as Record<string, Plain>;
  const lastModifiedText = str(m.lastmodified, 'lastmodified');
  const lastModified = parseRfc3339(lastModifiedText);
  if (lastModified === undefined) {
    throw new Error(
      `parsing time ${JSON.stringify(lastModifiedText)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
    );
  }
  const topLevel = groupFrom(m);
  let keyGroups: KeyGroup[];
  if (topLevel.length > 0) {
    keyGroups = [topLevel];
  } else {
    const groups = list(m.key_groups, 'key_groups');
    if (groups.length === 0) throw new Error('No keys found in file');
    keyGroups = groups.map(groupFrom);
  }
  const rules: CryptRules = {};
  let count = 0;
  for (const [prop, field] of RULE_FIELDS) {
    const v = str(m[field], field);
    if (v !== '') {
      rules[prop] = v;
      count++;
    }
  }
  if (count > 1) throw new Error(CRYPT_RULE_CONFLICT);
  if (count === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  return {
    ...rules,
    macOnlyEncrypted: bool(m.mac_only_encrypted, 'mac_only_encrypted'),
    keyGroups,
    shamirThreshold: int(m.shamir_threshold, 'shamir_threshold'),
    lastModified,
    mac: str(m.mac, 'mac'),
    version: str(m.version, 'version'),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

type Out = string | bigint | boolean | Out[] | { [k: string]: Out };

function sortedBranch(obj: Record<string, Out>): TreeBranch {
  const items: TreeItem[] = Object.keys(obj)
    .sort()
    .flatMap((k) => {
      const v = obj[k];
      return v === undefined ? [] : [{ key: k, value: toTree(v) }];
    });
  return new TreeBranch(items);
}

function toTree(v: Out): TreeValue {
  if (Array.isArray(v)) return v.map(toTree);
  if (typeof v === 'object') return sortedBranch(v);
  return v;
}

function entriesOf(group: KeyGroup, type: KeyType): Out[] {
  return group.filter((k) => k.type === type).map((k) => k.toMetadata() as Record<string, Out>);
}

/** The metadata as a tree, keys sorted at every level (sops 3.13's goToSops). */
export function metadataToTree(md: Metadata): TreeBranch {
  const out: Record<string, Out> = {
    lastmodified: md.lastModified.rfc3339,
    mac: md.mac,
    version: md.version,
  };
  if (md.shamirThreshold !== 0) out.shamir_threshold = BigInt(md.shamirThreshold);
  const setIf = (field: string, entries: Out[]): void => {
    if (entries.length > 0) out[field] = entries;
  };
  const [single] = md.keyGroups;
  if (single !== undefined && md.keyGroups.length === 1) {
    const g = single;
    for (const type of GROUP_TYPE_ORDER) setIf(type, entriesOf(g, type));
  } else {
    out.key_groups = md.keyGroups.map((g) => {
      // hc_vault and age have no omitempty in sops's struct: they are always written.
      const entry: Record<string, Out> = { hc_vault: entriesOf(g, 'hc_vault'), age: entriesOf(g, 'age') };
      for (const type of ['pgp', 'kms', 'gcp_kms', 'hckms', 'azure_kv'] as const) {
        const e = entriesOf(g, type);
        if (e.length > 0) entry[type] = e;
      }
      return entry;
    });
  }
  for (const [prop, field] of RULE_FIELDS) {
    const v = md[prop];
    if (v !== undefined && v !== '') out[field] = v;
  }
  if (md.macOnlyEncrypted === true) out.mac_only_encrypted = true;
  return sortedBranch(out);
}

export function cryptRulesOf(md: Metadata): CryptRules {
  const rules: CryptRules = {};
  for (const [prop] of RULE_FIELDS) {
    const v = md[prop];
    if (v !== undefined && v !== '') rules[prop] = v;
  }
  if (md.macOnlyEncrypted === true) rules.macOnlyEncrypted = true;
  return rules;
}

export function masterKeyCount(md: Metadata): number {
  return md.keyGroups.reduce((n, g) => n + g.length, 0);
}
