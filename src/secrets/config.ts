/**
 * `.sops.yaml`: found like sops finds it (from the working directory upwards, at most 100
 * levels; `--config`/SOPS_CONFIG override), creation rules matched first-wins against the file
 * path made relative to the config's folder, and turned into key groups and encryption rules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { CryptRules } from './crypt.js';
import { compileGoRegex } from './goregex.js';
import { yamlLibrary } from './yaml-library.js';
import { RULE_FIELDS } from './metadata.js';
import { parseAgeRecipients } from './keys/age.js';
import { parsePgpFingerprints } from './keys/pgp.js';
import { KmsKey, parseKmsArns, type KmsContext } from './keys/kms.js';
import type { KeyGroup } from './keys/datakey.js';
import type { MasterKey } from './keys/types.js';
import type { StoresConfig } from './stores/index.js';

export const CONFIG_FILE_NAME = '.sops.yaml';
const ALTERNATE_NAME = '.sops.yml';
const MAX_DEPTH = 100;

export interface ConfigLookup {
  path: string | undefined;
  warning: string | undefined;
}

/** Walks up from `cwd` like sops's LookupConfigFile. */
export function findConfigFile(cwd: string): ConfigLookup {
  let dir = resolve(cwd);
  let alternate: string | undefined;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) {
      return {
        path: candidate,
        warning:
          alternate === undefined
            ? undefined
            : `ignoring "${alternate}" when searching for config file; the config file must be called "${CONFIG_FILE_NAME}"; using "${candidate}" instead`,
      };
    }
    const alt = join(dir, ALTERNATE_NAME);
    if (alternate === undefined && existsSync(alt)) alternate = alt;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return {
    path: undefined,
    warning:
      alternate === undefined
        ? undefined
        : `ignoring "${alternate}" when searching for config file; the config file must be called "${CONFIG_FILE_NAME}"`,
  };
}

interface RawKmsKey {
  arn?: string;
  role?: string;
  context?: Record<string, unknown>;
  aws_profile?: string;
}

interface RawGroup {
  merge?: RawGroup[];
  kms?: RawKmsKey[];
  age?: string[];
  pgp?: string[];
  gcp_kms?: unknown[];
  azure_keyvault?: unknown[];
  hc_vault?: unknown[];
  hckms?: unknown[];
}

interface RawRule {
  path_regex?: string;
  kms?: unknown;
  aws_profile?: string;
  age?: unknown;
  pgp?: unknown;
  gcp_kms?: unknown;
  hckms?: unknown;
  azure_keyvault?: unknown;
  hc_vault_transit_uri?: unknown;
  key_groups?: RawGroup[];
  shamir_threshold?: number;
  mac_only_encrypted?: boolean;
  [rule: string]: unknown;
}

interface RawConfig {
  creation_rules?: RawRule[];
  stores?: StoresConfig;
}

export interface CreationConfig extends CryptRules {
  keyGroups: KeyGroup[];
  shamirThreshold: number;
}

export class SopsConfig {
  private constructor(
    readonly path: string,
    private readonly raw: RawConfig,
  ) {}

  static load(path: string): SopsConfig {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new Error(`could not read config file: ${(cause as Error).message}`, { cause });
    }
    let raw: unknown;
    try {
      raw = yamlLibrary().parse(text) ?? {};
    } catch (cause) {
      throw new Error(`error loading config: Could not unmarshal config file: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
      throw new Error(
        'error loading config: Could not unmarshal config file: the top level must be a mapping',
      );
    }
    return new SopsConfig(path, raw);
  }

  get stores(): StoresConfig {
    return this.raw.stores ?? {};
  }

  get hasCreationRules(): boolean {
    return Array.isArray(this.raw.creation_rules);
  }

  private relative(file: string): string {
    const configDir = resolve(dirname(this.path));
    return file.startsWith(configDir + sep) ? file.slice(configDir.length + 1) : file;
  }

  /** Whether a rule with an explicit `path_regex` matches `file` (a catch-all rule does not). */
  coversByPathRegex(file: string): boolean {
    const rel = this.relative(file);
    return (this.raw.creation_rules ?? []).some(
      (r) =>
        typeof r.path_regex === 'string' && r.path_regex !== '' && compileGoRegex(r.path_regex).test(rel),
    );
  }

  /** The first rule matching `file` (absolute), or an error as sops words it. */
  creationRuleFor(file: string, kmsContext?: KmsContext): CreationConfig | undefined {
    const rules = this.raw.creation_rules;
    if (!Array.isArray(rules)) return undefined;
    const relative = this.relative(file);
    for (const rule of rules) {
      if (
        rule.path_regex === undefined ||
        rule.path_regex === '' ||
        compileGoRegex(rule.path_regex).test(relative)
      ) {
        return configFromRule(rule, kmsContext);
      }
    }
    throw new Error('error loading config: no matching creation rules found');
  }
}

/** A key field: a comma-separated string or a list of strings. */
function keyField(field: unknown, name: string): string[] {
  if (field === undefined || field === null) return [];
  if (typeof field === 'string')
    return field
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(field)) {
    return field.map((item) => {
      if (typeof item !== 'string')
        throw new Error(`invalid ${name} key configuration: expected string in list, got ${typeof item}`);
      return item;
    });
  }
  throw new Error(
    `invalid ${name} key configuration: expected string, []string, or nil, got ${typeof field}`,
  );
}

function unsupported(name: string, values: unknown): void {
  if (values === undefined || values === null) return;
  if ((Array.isArray(values) && values.length === 0) || values === '') return;
  throw new Error(`${name} keys in .sops.yaml are not supported by Chartroom; use age, pgp or kms`);
}

function stringContext(ctx: Record<string, unknown> | undefined): KmsContext | undefined {
  if (ctx === undefined) return undefined;
  const out: KmsContext = {};
  for (const [k, v] of Object.entries(ctx)) {
    // sops ignores the whole context when a value is not a string.
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function dedupe(group: MasterKey[]): MasterKey[] {
  const seen = new Set<string>();
  return group.filter((k) => {
    const id = `${k.type}/${k.id()}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function groupFrom(raw: RawGroup): KeyGroup {
  const group: MasterKey[] = [];
  for (const sub of raw.merge ?? []) group.push(...groupFrom(sub));
  for (const r of raw.age ?? []) group.push(...parseAgeRecipients(r));
  for (const fp of raw.pgp ?? []) group.push(...parsePgpFingerprints(fp));
  for (const k of raw.kms ?? []) {
    const context = stringContext(k.context);
    group.push(
      new KmsKey({
        arn: k.arn ?? '',
        ...(k.role === undefined ? {} : { role: k.role }),
        ...(context === undefined ? {} : { context }),
        ...(k.aws_profile === undefined ? {} : { awsProfile: k.aws_profile }),
      }),
    );
  }
  unsupported('gcp_kms', raw.gcp_kms);
  unsupported('azure_keyvault', raw.azure_keyvault);
  unsupported('hc_vault', raw.hc_vault);
  unsupported('hckms', raw.hckms);
  return dedupe(group);
}

function configFromRule(rule: RawRule, kmsContext: KmsContext | undefined): CreationConfig {
  const rules: CryptRules = {};
  let count = 0;
  for (const [prop, field] of RULE_FIELDS) {
    const v = rule[field];
    if (typeof v === 'string' && v !== '') {
      rules[prop] = v;
      count++;
    }
  }
  if (count > 1) {
    throw new Error(
      'error loading config: cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex for the same rule',
    );
  }
  let keyGroups: KeyGroup[];
  if (Array.isArray(rule.key_groups) && rule.key_groups.length > 0) {
    // A `- {}` group is null in YAML terms: an empty group (refused when encrypting, as sops).
    keyGroups = rule.key_groups.map((g: RawGroup | null) => groupFrom(g ?? {}));
  } else {
    const group: MasterKey[] = [];
    group.push(...parseAgeRecipients(keyField(rule.age, 'age').join(',')));
    group.push(...parsePgpFingerprints(keyField(rule.pgp, 'pgp').join(',')));
    group.push(...parseKmsArns(keyField(rule.kms, 'kms').join(','), kmsContext, rule.aws_profile));
    unsupported('gcp_kms', rule.gcp_kms);
    unsupported('hckms', rule.hckms);
    unsupported('azure_keyvault', rule.azure_keyvault);
    unsupported('hc_vault_transit_uri', rule.hc_vault_transit_uri);
    keyGroups = [group];
  }
  return {
    ...rules,
    ...(rule.mac_only_encrypted === true ? { macOnlyEncrypted: true } : {}),
    keyGroups,
    shamirThreshold: typeof rule.shamir_threshold === 'number' ? rule.shamir_threshold : 0,
  };
}
