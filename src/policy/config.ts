/**
 * The policy config file: which checks run, at what severity, with which options, and which
 * ignore annotations count. Severities use Polaris's words (`ignore|warning|danger`) so a Polaris
 * `checks:` block reads the same.
 *
 * ```yaml
 * kubernetesVersion: "1.36"
 * checks:
 *   cpu-limit-missing: ignore        # off
 *   container-image-pull-policy: danger
 *   rolling-update-bounds:
 *     severity: danger
 *     options: { maxSurge: "25%", maxUnavailable: "10%" }
 * enable: [container-seccomp-profile]   # optional checks to turn on
 * ignoreAnnotations: { kube-score: true, polaris: true, kube-linter: true, chartroom: true }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { allIgnoreAnnotations, type IgnoreSettings } from './ignore.js';
import type { PolicySettings, Severity } from './model.js';

const severitySchema = z.enum(['ignore', 'warning', 'danger']);

const checkEntry = z.union([
  severitySchema,
  z
    .object({
      severity: severitySchema.optional(),
      options: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

const fileSchema = z
  .object({
    kubernetesVersion: z
      .union([z.string(), z.number()])
      .transform(String)
      .refine((v) => /^v?\d+\.\d+/.test(v), 'must look like 1.36')
      .optional(),
    checks: z.record(z.string(), checkEntry).optional(),
    enable: z.array(z.string()).optional(),
    /** Run only these checks (like kube-linter's --include with doNotAutoAddDefaults). */
    only: z.array(z.string()).optional(),
    ignoreAnnotations: z
      .object({
        chartroom: z.boolean(),
        'kube-score': z.boolean(),
        polaris: z.boolean(),
        'kube-linter': z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

export type PolicyConfigFile = z.infer<typeof fileSchema>;

/** The config after defaults: what the engine reads. */
export interface PolicyConfig {
  settings: PolicySettings;
  severity: Map<string, Severity | 'ignore'>;
  options: Map<string, Record<string, unknown>>;
  enable: Set<string>;
  only: Set<string> | undefined;
  ignoreAnnotations: IgnoreSettings;
}

export const defaultKubernetesVersion = '1.36';

export function resolveConfig(file: PolicyConfigFile = {}, knownChecks?: ReadonlySet<string>): PolicyConfig {
  const severity = new Map<string, Severity | 'ignore'>();
  const options = new Map<string, Record<string, unknown>>();
  const unknown = (id: string): void => {
    if (knownChecks !== undefined && !knownChecks.has(id)) {
      throw new ConfigError(
        `unknown check "${id}" in the policy config`,
        'Run `chartroom policy checks` for the ids.',
      );
    }
  };
  for (const [id, entry] of Object.entries(file.checks ?? {})) {
    unknown(id);
    if (typeof entry === 'string') severity.set(id, entry);
    else {
      if (entry.severity !== undefined) severity.set(id, entry.severity);
      if (entry.options !== undefined) options.set(id, entry.options);
    }
  }
  for (const id of [...(file.enable ?? []), ...(file.only ?? [])]) unknown(id);
  return {
    settings: { kubernetesVersion: (file.kubernetesVersion ?? defaultKubernetesVersion).replace(/^v/, '') },
    severity,
    options,
    enable: new Set(file.enable ?? []),
    only: file.only === undefined ? undefined : new Set(file.only),
    ignoreAnnotations: { ...allIgnoreAnnotations, ...file.ignoreAnnotations },
  };
}

export function parseConfig(text: string, file: string, knownChecks?: ReadonlySet<string>): PolicyConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML`, 'Fix the YAML syntax.', error);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new ConfigError(
      `${file}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`,
      'See docs/policy.md#configuration for the file format.',
    );
  }
  return resolveConfig(parsed.data, knownChecks);
}

export async function loadConfig(path: string, knownChecks?: ReadonlySet<string>): Promise<PolicyConfig> {
  const text = await readFile(path, 'utf8');
  return parseConfig(text, path, knownChecks);
}
