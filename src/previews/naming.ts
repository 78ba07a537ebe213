/**
 * The names a branch's preview gets: one DNS label, from which the namespace, host and release
 * are made by the app's templates.
 *
 * - A branch that is already a valid DNS label and fits is used as it is, so `devopsstage` stays
 *   `devopsstage.<domain>` as in the talk.
 * - Anything else becomes a slug plus a short hash of the exact branch name
 *   (`feature/Login_v2` → `feature-login-v2-3f9a1c`), so `feature/x` and `feature-x` differ.
 * - A verbatim label never ends in `-<6+ hex>` (such a branch is hashed instead), and a hashed
 *   label always does: the two kinds cannot collide. Two hashed labels collide only when the
 *   short hashes do; the caller then asks again with a longer hash (see `hashLength`).
 * - Namespaces and host labels are at most 63 characters, releases at most 53 (Helm's limit),
 *   and the budget for the label is what the templates leave.
 */
import { createHash } from 'node:crypto';

export interface NameTemplates {
  app: string;
  domain: string;
  /** e.g. `{app}-{label}`. */
  namespace: string;
  /** e.g. `{label}.{domain}`. */
  host: string;
  /** e.g. `webapp` (constant) or `{label}`. */
  release: string;
}

export interface PreviewNames {
  label: string;
  namespace: string;
  host: string;
  release: string;
  /** True when the label is the branch itself. */
  verbatim: boolean;
}

export const defaultHashLength = 6;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const hashedTail = /-[0-9a-f]{6,}$/;

/** Host labels that would shadow something else under a wildcard domain. */
const reservedLabels = new Set([
  'www',
  'api',
  'mail',
  'smtp',
  'ftp',
  'ns1',
  'ns2',
  'admin',
  'chartroom',
  'dashboard',
  'staging',
  'production',
  'prod',
]);

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** How long the label may be so that every name made from it fits its limit. */
export function labelBudget(templates: NameTemplates): number {
  const fixed = (template: string): string =>
    fill(template, { app: templates.app, domain: templates.domain });
  const room = (template: string, limit: number): number =>
    template.includes('{label}') ? limit - (fixed(template).length - '{label}'.length) : Infinity;
  const hostSegment = fixed(templates.host)
    .split('.')
    .find((segment) => segment.includes('{label}'));
  return Math.min(
    63,
    room(templates.namespace, 63),
    room(hostSegment ?? '', 63),
    room(templates.host, 253),
    room(templates.release, 53),
  );
}

function shortHash(branch: string, length: number): string {
  return createHash('sha256').update(branch, 'utf8').digest('hex').slice(0, length);
}

export function slug(branch: string): string {
  return branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The label for a branch; pass a longer hashLength when the default one collided. */
export function previewLabel(
  branch: string,
  templates: NameTemplates,
  hashLength = defaultHashLength,
): { label: string; verbatim: boolean } {
  const budget = labelBudget(templates);
  // Charts name Services after the release, and Service names must start with a letter.
  const letterFirst = templates.release.startsWith('{label}');
  const verbatim =
    dnsLabel.test(branch) &&
    branch.length <= budget &&
    !hashedTail.test(branch) &&
    !reservedLabels.has(branch) &&
    (!letterFirst || /^[a-z]/.test(branch));
  if (verbatim) return { label: branch, verbatim: true };
  const hash = shortHash(branch, hashLength);
  let head = slug(branch);
  if (head === '') head = 'b';
  else if (letterFirst && !/^[a-z]/.test(head)) head = `b-${head}`;
  head = head.slice(0, Math.max(1, budget - hashLength - 1)).replace(/-+$/, '');
  return { label: `${head}-${hash}`, verbatim: false };
}

export function previewNames(
  branch: string,
  templates: NameTemplates,
  hashLength = defaultHashLength,
): PreviewNames {
  const { label, verbatim } = previewLabel(branch, templates, hashLength);
  const values = { app: templates.app, domain: templates.domain, label };
  return {
    label,
    verbatim,
    namespace: fill(templates.namespace, values),
    host: fill(templates.host, values),
    release: fill(templates.release, values),
  };
}

/** Checks that the templates can name a preview at all (called when the config is loaded). */
export function checkTemplates(templates: NameTemplates): string | undefined {
  const budget = labelBudget(templates);
  if (budget < defaultHashLength + 4)
    return `the templates leave ${budget} characters for the branch label; shorten the app name or templates`;
  const names = previewNames('feature/check', templates);
  if (!dnsLabel.test(names.namespace)) return `namespace template gives an invalid name: ${names.namespace}`;
  if (!names.host.split('.').every((segment) => dnsLabel.test(segment)))
    return `host template gives an invalid host: ${names.host}`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(names.release))
    return `release template gives an invalid release name: ${names.release}`;
  return undefined;
}
