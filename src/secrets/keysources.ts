/**
 * Where a new file's keys come from, as sops decides: keys given as flags (or SOPS_* variables)
 * form one key group and bypass `.sops.yaml`; otherwise the matching creation rule supplies the
 * groups, the threshold and the partial-encryption rules.
 */
import { SecretsError } from './errors.js';
import type { CryptRules } from './crypt.js';
import { SopsConfig, findConfigFile, type CreationConfig } from './config.js';
import { parseAgeRecipients } from './keys/age.js';
import { parsePgpFingerprints } from './keys/pgp.js';
import { parseKmsArns, parseKmsContext, type KmsContext } from './keys/kms.js';
import type { KeyGroup } from './keys/datakey.js';
import type { MasterKey } from './keys/types.js';
import type { StoresConfig } from './stores/index.js';

/** Key flags as sops names them (comma-separated lists). */
export interface KeyFlags {
  age?: string;
  pgp?: string;
  kms?: string;
  awsProfile?: string;
  encryptionContext?: string;
  gcpKms?: string;
  azureKv?: string;
  hcVaultTransit?: string;
  hckms?: string;
}

export interface ConfigSource {
  cwd: string;
  /** `--config` or SOPS_CONFIG; when set, no search happens. */
  configPath?: string;
  warn?: (message: string) => void;
}

/** Loads `.sops.yaml` if there is one (a missing file is not an error, as in sops). */
export function loadConfig(source: ConfigSource): SopsConfig | undefined {
  if (source.configPath !== undefined && source.configPath !== '') return SopsConfig.load(source.configPath);
  const found = findConfigFile(source.cwd);
  if (found.warning !== undefined) source.warn?.(found.warning);
  return found.path === undefined ? undefined : SopsConfig.load(found.path);
}

export function loadStoresConfig(source: ConfigSource): StoresConfig {
  try {
    return loadConfig(source)?.stores ?? {};
  } catch {
    return {};
  }
}

function unsupportedFlag(name: string, value: string | undefined): void {
  if (value !== undefined && value !== '') {
    throw new SecretsError('generic', `${name} keys are not supported by Chartroom`, {
      hint: 'Use --age, --pgp or --kms.',
    });
  }
}

export function contextFromFlag(text: string | undefined): KmsContext | undefined {
  if (text === undefined || text === '') return undefined;
  const ctx = parseKmsContext(text);
  if (ctx === undefined) {
    throw new SecretsError('invalidKmsEncryptionContextFormat', 'Invalid KMS encryption context format', {
      hint: 'Use --encryption-context key1:value1,key2:value2',
    });
  }
  return ctx;
}

function keyError(cause: unknown): SecretsError {
  return new SecretsError('generic', (cause as Error).message, { cause });
}

/** The master keys named by flags, in sops's order (kms, …, pgp, …, age). */
export function keysFromFlags(flags: KeyFlags, context: KmsContext | undefined): MasterKey[] {
  unsupportedFlag('GCP KMS', flags.gcpKms);
  unsupportedFlag('Azure Key Vault', flags.azureKv);
  unsupportedFlag('HashiCorp Vault transit', flags.hcVaultTransit);
  unsupportedFlag('HuaweiCloud KMS', flags.hckms);
  try {
    return [
      ...parseKmsArns(flags.kms ?? '', context, flags.awsProfile === '' ? undefined : flags.awsProfile),
      ...parsePgpFingerprints(flags.pgp ?? ''),
      ...parseAgeRecipients(flags.age ?? ''),
    ];
  } catch (cause) {
    throw keyError(cause);
  }
}

export interface NewFileConfig extends CryptRules {
  keyGroups: KeyGroup[];
  shamirThreshold: number;
}

export interface NewFileRequest extends ConfigSource {
  /** Absolute path the rules are matched against (`--filename-override` when given). */
  file: string;
  keys: KeyFlags;
  rules: CryptRules;
  shamirThreshold?: number;
  singleValue: boolean;
}

const RULE_PROPS = [
  'unencryptedSuffix',
  'encryptedSuffix',
  'unencryptedRegex',
  'encryptedRegex',
  'unencryptedCommentRegex',
  'encryptedCommentRegex',
] as const;

/** sops's getEncryptConfig: flags first, then the creation rule, then defaults. */
export function newFileConfig(req: NewFileRequest): NewFileConfig {
  const context = contextFromFlag(req.keys.encryptionContext);
  const flagKeys = keysFromFlags(req.keys, context);
  let rule: CreationConfig | undefined;
  try {
    // As sops: a config whose rules do not match the file is an error even with key flags.
    // Like sops, the --encryption-context flag does not apply to keys from the config.
    rule = loadConfig(req)?.creationRuleFor(req.file);
  } catch (cause) {
    throw keyError(cause);
  }
  const rules: CryptRules = {};
  for (const prop of RULE_PROPS) {
    const v = req.rules[prop] !== undefined && req.rules[prop] !== '' ? req.rules[prop] : rule?.[prop];
    if (v !== undefined && v !== '') rules[prop] = v;
  }
  const macOnly = req.rules.macOnlyEncrypted === true || rule?.macOnlyEncrypted === true;
  if (macOnly) rules.macOnlyEncrypted = true;
  if (req.singleValue) {
    // The binary store has one value, always encrypted: rules could only disable that.
    for (const key of Object.keys(rules)) Reflect.deleteProperty(rules, key);
  }
  const count = RULE_PROPS.filter((p) => rules[p] !== undefined).length;
  if (count > 1) {
    throw new SecretsError(
      'conflictingParameters',
      'Error: cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file',
    );
  }
  if (count === 0 && !req.singleValue) rules.unencryptedSuffix = '_unencrypted';

  let keyGroups: KeyGroup[];
  if (flagKeys.length > 0) {
    keyGroups = [flagKeys];
  } else if (rule !== undefined) {
    keyGroups = rule.keyGroups;
  } else {
    throw new SecretsError(
      'generic',
      'config file not found, or has no creation rules, and no keys provided through command line options',
      {
        hint: 'Pass --age/--pgp/--kms, or add a creation rule to .sops.yaml.',
      },
    );
  }
  const threshold =
    req.shamirThreshold !== undefined && req.shamirThreshold !== 0
      ? req.shamirThreshold
      : (rule?.shamirThreshold ?? 0);
  return { ...rules, keyGroups, shamirThreshold: threshold };
}
