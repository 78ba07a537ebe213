/**
 * Reads identity mappings in the aws-auth ConfigMap format (`data.mapRoles`, `data.mapUsers`,
 * `data.mapAccounts`, each a YAML document inside a string) or the same three keys as plain YAML
 * lists (aws-iam-authenticator's server config style).
 *
 * Unlike the authenticator, which drops bad entries (or a whole block on a YAML error) and loads
 * what is left — the classic aws-auth lock-out — this parser refuses the whole file at the first
 * problem and names its line. The caller keeps the mapping that was in force.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { parseArn } from '../verify/arn.js';
import { MappingError } from './errors.js';
import { checkTemplate } from './template.js';
import type { MappingConfig, RoleMapping, UserMapping } from './types.js';

const knownKeys = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;
type KnownKey = (typeof knownKeys)[number];

export function parseMapping(text: string, source: string): MappingConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined, fallback = 1): number =>
    node?.range === undefined || node.range === null ? fallback : lines.linePos(node.range[0]).line;
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new MappingError(
      source,
      firstError.linePos?.[0].line ?? 1,
      `not valid YAML: ${yamlMessage(firstError.message)}`,
    );
  }
  const root = doc.contents;
  if (!isMap(root))
    throw new MappingError(
      source,
      lineOf(root),
      'expected a ConfigMap or a map with mapRoles/mapUsers/mapAccounts',
    );
  const config: MappingConfig = { roles: [], users: [], accounts: [], warnings: [], source };

  const kindNode = root.get('kind', true);
  const kind = isScalar(kindNode) ? String(kindNode.value) : undefined;
  let holder: YAMLMap = root;
  let embedded = false;
  if (kind === 'ConfigMap') {
    const data = root.get('data', true);
    if (data === undefined) return config;
    if (!isMap(data)) throw new MappingError(source, lineOf(data), 'data must be a map');
    holder = data;
    embedded = true;
  }
  for (const pair of holder.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!knownKeys.includes(key as KnownKey)) {
      const meant = knownKeys.find((known) => known.toLowerCase() === key.toLowerCase());
      if (meant !== undefined) {
        throw new MappingError(
          source,
          lineOf(keyNode),
          `unknown key ${key}: keys are case-sensitive, write ${meant}`,
        );
      }
      if (!embedded && ['apiVersion', 'kind', 'metadata'].includes(key)) continue;
      config.warnings.push(`${source}:${lineOf(keyNode)}: ignored unknown key ${key}`);
      continue;
    }
    const valueNode = pair.value as Node | null;
    let list: Node | null = valueNode;
    let offset = 0;
    let inner = lines;
    if (embedded) {
      // ConfigMap data values are strings; a list here is the classic missing `|`.
      if (!isScalar(valueNode) || typeof valueNode.value !== 'string') {
        throw new MappingError(
          source,
          lineOf(valueNode, lineOf(keyNode)),
          `data.${key} must be a string: write \`${key}: |\` and indent the list under it`,
        );
      }
      const scalar: Scalar = valueNode;
      const block = scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED';
      offset = lineOf(scalar) - (block ? 0 : 1);
      inner = new LineCounter();
      const innerDoc = parseDocument(scalar.value as string, { lineCounter: inner, uniqueKeys: true });
      const innerError = innerDoc.errors[0];
      if (innerError !== undefined) {
        // An unclosed bracket is reported at the end of input; point at the last line there is.
        const lastLine = (scalar.value as string).trimEnd().split('\n').length;
        const line = Math.min(innerError.linePos?.[0].line ?? 1, lastLine);
        throw new MappingError(
          source,
          offset + line,
          `${key} is not valid YAML: ${yamlMessage(innerError.message)}`,
        );
      }
      list = innerDoc.contents;
    }
    const at = (node: Node | null | undefined): number =>
      node?.range === undefined || node.range === null
        ? lineOf(keyNode)
        : offset + inner.linePos(node.range[0]).line;
    if (list === null || (isScalar(list) && (list.value === null || list.value === ''))) continue;
    if (!isSeq(list)) throw new MappingError(source, at(list), `${key} must be a list`);
    for (const item of list.items as Node[]) {
      if (key === 'mapAccounts') config.accounts.push(readAccount(item, source, at));
      else if (key === 'mapRoles')
        config.roles.push(readEntry(item, 'rolearn', source, at, config.warnings) as RoleMapping);
      else config.users.push(readEntry(item, 'userarn', source, at, config.warnings) as UserMapping);
    }
  }
  rejectDuplicates(config, source);
  return config;
}

/** The yaml library's first line, without its own (inner-document) position. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function readAccount(node: Node, source: string, at: (n: Node) => number): string {
  // The source text, not the parsed number: 012345678901 must keep its leading zero.
  const text = isScalar(node) ? (node.source ?? String(node.value)) : '';
  if (!/^\d{12}$/.test(text))
    throw new MappingError(
      source,
      at(node),
      `mapAccounts entry ${JSON.stringify(text)} is not a 12-digit account id`,
    );
  return text;
}

function readEntry(
  node: Node,
  arnKey: 'rolearn' | 'userarn',
  source: string,
  at: (n: Node) => number,
  warnings: string[],
): RoleMapping | UserMapping {
  if (!isMap(node))
    throw new MappingError(
      source,
      at(node),
      `each ${arnKey === 'rolearn' ? 'mapRoles' : 'mapUsers'} entry must be a map`,
    );
  const line = at(node);
  let arn: string | undefined;
  let username: string | undefined;
  let groups: string[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const value = pair.value as Node | null;
    // Entry keys are case-insensitive in aws-auth (rolearn, roleARN and RoLeArN all work).
    const key = isScalar(keyNode) ? String(keyNode.value).toLowerCase() : '';
    const text = (): string => {
      if (!isScalar(value) || (typeof value.value !== 'string' && typeof value.value !== 'number')) {
        throw new MappingError(source, at(keyNode), `${key} must be a string`);
      }
      return String(value.value);
    };
    switch (key) {
      case arnKey:
        arn = text();
        break;
      case 'username':
        username = text();
        break;
      case 'groups':
        if (value === null || (isScalar(value) && value.value === null)) break;
        if (!isSeq(value)) throw new MappingError(source, at(keyNode), 'groups must be a list');
        groups = (value.items as Node[]).map((g) => {
          if (!isScalar(g) || typeof g.value !== 'string' || g.value === '')
            throw new MappingError(source, at(g), 'each group must be a non-empty string');
          if (/\s/.test(g.value))
            warnings.push(
              `${source}:${at(g)}: group ${JSON.stringify(g.value)} contains whitespace (an indentation slip?)`,
            );
          return g.value;
        });
        break;
      case 'userid':
        break; // Principal ids are for DynamicFile's strict mode; the ARN is what we match.
      case 'sso':
        throw new MappingError(
          source,
          at(keyNode),
          'sso matching is not supported; map the AWSReservedSSO_… role ARN instead',
        );
      default:
        throw new MappingError(
          source,
          at(keyNode),
          `unknown key ${JSON.stringify(String(isScalar(keyNode) ? keyNode.value : ''))} in entry (expected ${arnKey}, username, groups)`,
        );
    }
  }
  if (arn === undefined) throw new MappingError(source, line, `entry has no ${arnKey}`);
  checkArn(arn, arnKey, source, line);
  if (username === undefined || username === '')
    throw new MappingError(source, line, 'entry has no username');
  for (const template of [username, ...groups]) {
    const problem = checkTemplate(template);
    if (problem.error !== undefined) throw new MappingError(source, line, problem.error);
    if (problem.warning !== undefined) warnings.push(`${source}:${line}: ${problem.warning}`);
  }
  return arnKey === 'rolearn'
    ? { roleArn: arn, username, groups, line }
    : { userArn: arn, username, groups, line };
}

function checkArn(arn: string, arnKey: 'rolearn' | 'userarn', source: string, line: number): void {
  const kind = arnKey === 'rolearn' ? 'role' : 'user';
  let ok = false;
  try {
    const parsed = parseArn(arn);
    ok =
      parsed.service === 'iam' &&
      /^\d{12}$/.test(parsed.account) &&
      parsed.resource.startsWith(`${kind}/`) &&
      parsed.resource.length > kind.length + 1;
  } catch {
    ok = false;
  }
  if (!ok)
    throw new MappingError(
      source,
      line,
      `${arnKey} ${JSON.stringify(arn)} is not an IAM ${kind} ARN (arn:aws:iam::<account>:${kind}/<name>)`,
    );
}

function rejectDuplicates(config: MappingConfig, source: string): void {
  const seen = new Map<string, number>();
  for (const entry of [
    ...config.roles.map((r) => ({ arn: r.roleArn, line: r.line })),
    ...config.users.map((u) => ({ arn: u.userArn, line: u.line })),
  ]) {
    const key = principalKey(entry.arn);
    const first = seen.get(key);
    if (first !== undefined)
      throw new MappingError(source, entry.line, `${entry.arn} is mapped twice (first at line ${first})`);
    seen.set(key, entry.line);
  }
}

/**
 * How mapped ARNs are compared: lower-cased, with the path removed. IAM names are unique in an
 * account whatever their path, and STS drops role paths, so `role/team/Dev` must match an
 * assumed `role/Dev` (kubernetes-sigs/aws-iam-authenticator#268).
 */
export function principalKey(arn: string): string {
  const parsed = parseArn(arn);
  const segments = parsed.resource.split('/');
  const kind = segments[0] ?? '';
  const name = segments.length > 1 ? (segments.at(-1) ?? '') : '';
  const resource = kind === 'role' || kind === 'user' ? `${kind}/${name}` : parsed.resource;
  return `arn:${parsed.partition}:${parsed.service}::${parsed.account}:${resource}`.toLowerCase();
}
