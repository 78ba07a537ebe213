/**
 * Renders a Helm chart with the real `helm template`, so policy checks what the cluster would get.
 *
 * The values come from a `ValuesAssembly`: today the conventional files next to the chart (the
 * talk's `helm/env/<env>.yaml` and `helm/env/secrets.<env>.yaml`); when the deploy capability
 * lands, its assembly from chartroom.yaml plugs in through the same interface.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ChartroomError, ExitCode, NotFoundError } from '../../core/errors.js';
import { findPeer } from '../../core/peers.js';
import type { Manifest } from '../model.js';
import { parseManifests } from './parse.js';

export interface ChartValues {
  /** Values files in the order helm applies them (later wins). */
  files: string[];
  /** `--set`-style overrides, applied after the files. */
  set?: Record<string, string>;
}

/** Decides the values for one chart and environment. */
export type ValuesAssembly = (chartDir: string, env: string | undefined) => Promise<ChartValues>;

/**
 * The talk's layout: `helm/env/{env}.yaml` beside (or inside) the chart folder, plus the
 * SOPS-encrypted `secrets.{env}.yaml`. Encrypted values render as ciphertext strings, which is
 * enough for policy (no plaintext ever touches disk) and keeps `required` templates rendering.
 */
export const conventionalValues: ValuesAssembly = async (chartDir, env) => {
  if (env === undefined) return { files: [] };
  const candidates = [
    join(chartDir, '..', 'env', `${env}.yaml`),
    join(chartDir, 'env', `${env}.yaml`),
    join(chartDir, `values-${env}.yaml`),
    join(chartDir, `values.${env}.yaml`),
  ];
  const secrets = [
    join(chartDir, '..', 'env', `secrets.${env}.yaml`),
    join(chartDir, 'env', `secrets.${env}.yaml`),
  ];
  const files: string[] = [];
  for (const file of [...secrets, ...candidates]) {
    if (await exists(file)) files.push(file);
  }
  if (!files.some((f) => !basename(f).startsWith('secrets.'))) {
    throw new NotFoundError(
      `no values for environment "${env}" next to ${chartDir}`,
      `Create ${join(dirname(chartDir), 'env', `${env}.yaml`)} (or values-${env}.yaml in the chart).`,
    );
  }
  return { files };
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export interface RenderChartOptions {
  /** The chart folder as the user named it (relative to cwd), also used in messages. */
  chartDir: string;
  cwd?: string;
  env?: string;
  release?: string;
  namespace?: string;
  values?: ValuesAssembly;
  processEnv?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function renderChart(options: RenderChartOptions): Promise<Manifest[]> {
  const chartDir = resolve(options.cwd ?? process.cwd(), options.chartDir);
  if (!(await exists(join(chartDir, 'Chart.yaml')))) {
    throw new NotFoundError(
      `${options.chartDir} is not a Helm chart (no Chart.yaml)`,
      'Pass the chart folder to --chart.',
    );
  }
  const helm = findPeer('helm', options.processEnv);
  if (helm === undefined) {
    throw new ChartroomError('helm is not installed', {
      code: 'peer-missing',
      exitCode: ExitCode.peer,
      hint: 'Install helm 3 (or run `npm run peers`), or render the chart yourself and pipe it to `chartroom policy check -`.',
    });
  }
  const values = await (options.values ?? conventionalValues)(chartDir, options.env);
  const args = ['template', options.release ?? basename(chartDir), chartDir];
  if (options.namespace !== undefined) args.push('--namespace', options.namespace);
  for (const file of values.files) args.push('--values', file);
  for (const [key, value] of Object.entries(values.set ?? {})) args.push('--set-string', `${key}=${value}`);
  const output = await new Promise<string>((resolvePromise, reject) => {
    execFile(
      helm,
      args,
      { maxBuffer: 256 * 1024 * 1024, signal: options.signal, env: options.processEnv },
      (error, stdout, stderr) => {
        if (error === null) {
          resolvePromise(stdout);
          return;
        }
        const detail = stderr.trim().split('\n').pop() ?? error.message;
        reject(
          new ChartroomError(`helm template failed: ${detail.replace(/^Error: /, '')}`, {
            code: 'policy-render-failed',
            exitCode: ExitCode.peer,
            hint: detail.includes('dependenc')
              ? `Run \`helm dependency build ${options.chartDir}\` first.`
              : 'Run the same `helm template` by hand to see the whole error.',
            cause: error,
          }),
        );
      },
    );
  });
  return parseManifests(output, options.chartDir);
}
