/**
 * The policy capability: manifest checks that encode the talk's lessons (and everything
 * kube-score, Polaris and kube-linter check), and an advisor over real usage.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { allChecks, checkIds } from './checks/index.js';
import { loadConfig, resolveConfig, type PolicyConfig } from './config.js';
import { runChecks } from './engine.js';
import { renderChart, type ValuesAssembly } from './loader/chart.js';
import { readSources } from './loader/sources.js';
import type { Manifest, PolicyReport } from './model.js';

export { allChecks, checkById } from './checks/index.js';
export { anchorMappings, type AnchorMapping, type AnchorTool } from './anchors.js';
export { parseConfig, resolveConfig, type PolicyConfig } from './config.js';
export { runChecks } from './engine.js';
export { conventionalValues, renderChart, type ChartValues, type ValuesAssembly } from './loader/chart.js';
export { parseManifests } from './loader/parse.js';
export { readSources } from './loader/sources.js';
export type { CheckDefinition, Finding, Manifest, PolicyReport, Severity, Skip } from './model.js';
export { renderReport, reportFormats, type ReportFormat } from './report/index.js';
export { advise, type AdviceReport, type AdviseOptions } from './advise/index.js';

/** The config file looked for in the working directory when none is given. */
export const defaultConfigFile = '.chartroom-policy.yaml';

export interface CheckOptions {
  /** Files, folders, or `-` for stdin. */
  paths: readonly string[];
  cwd: string;
  stdin?: () => Promise<string>;
  /** A Helm chart to render and check, with the values of `env`. */
  chart?: { dir: string; env?: string; release?: string; namespace?: string; values?: ValuesAssembly };
  /** A config file; else `.chartroom-policy.yaml` in cwd if present; else defaults. */
  configPath?: string;
  config?: PolicyConfig;
  processEnv?: NodeJS.ProcessEnv;
  onNote?: (note: string) => void;
  signal?: AbortSignal;
}

async function configFor(options: CheckOptions): Promise<PolicyConfig> {
  if (options.config !== undefined) return options.config;
  if (options.configPath !== undefined) return loadConfig(resolve(options.cwd, options.configPath), checkIds);
  const fallback = join(options.cwd, defaultConfigFile);
  const present = await access(fallback).then(
    () => true,
    () => false,
  );
  return present ? loadConfig(fallback, checkIds) : resolveConfig();
}

/** Reads everything the user named, renders the chart if any, and runs the checks. */
export async function checkPolicy(options: CheckOptions): Promise<PolicyReport> {
  const config = await configFor(options);
  const manifests: Manifest[] = await readSources({
    paths: options.paths,
    cwd: options.cwd,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.chart !== undefined) {
    manifests.push(
      ...(await renderChart({
        chartDir: options.chart.dir,
        cwd: options.cwd,
        ...(options.chart.env === undefined ? {} : { env: options.chart.env }),
        ...(options.chart.release === undefined ? {} : { release: options.chart.release }),
        ...(options.chart.namespace === undefined ? {} : { namespace: options.chart.namespace }),
        ...(options.chart.values === undefined ? {} : { values: options.chart.values }),
        ...(options.processEnv === undefined ? {} : { processEnv: options.processEnv }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })),
    );
  }
  return runChecks({
    manifests,
    checks: allChecks,
    config,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** Findings at or above the threshold decide the exit code. */
export function failsAt(report: PolicyReport, threshold: 'warning' | 'danger' | 'never'): boolean {
  if (threshold === 'never') return false;
  return report.findings.some((f) => threshold === 'warning' || f.severity === 'danger');
}
