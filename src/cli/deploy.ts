/**
 * `chartroom deploy`: the talk's `helm upgrade --install --wait` with secrets decrypted in memory,
 * a lock per release, recovery of pending releases and a rollout tracker that explains failures;
 * `chartroom deploy history`: the recorded deploys. The capability is imported inside each
 * action, so other commands never load Helm plumbing or the Kubernetes client.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import type { DeployOutcomeSummary, DeployRecord, PrepareOptions } from '../deploy/index.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { renderDiff } from './deploy-diff-render.js';
import { deployRenderer } from './deploy-render.js';
import { ExitRequest } from './program.js';

interface DeployFlags {
  env?: string;
  app?: string;
  release?: string;
  namespace?: string;
  values: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  timeout?: string;
  atomic?: boolean;
  kubeconfig?: string;
  context?: string;
  lockTimeout: string;
  gracePeriod?: string;
  recoverAfter: string;
  createNamespace: boolean;
}

interface HistoryFlags {
  app?: string;
  env?: string;
  release?: string;
  namespace?: string;
  limit: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function limit(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000)
    throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${value}"`);
  return parsed;
}

/** What deploy and deploy diff both take: the app, environment, release, cluster and values. */
function targetOptions(flags: DeployFlags, env: string): PrepareOptions {
  return {
    env,
    ...(flags.app === undefined ? {} : { app: flags.app }),
    ...(flags.release === undefined ? {} : { release: flags.release }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
    values: flags.values,
    set: flags.set,
    setString: flags.setString,
    setFile: flags.setFile,
  };
}

/** The options that say what to deploy where, on `deploy` and `deploy diff` alike. */
function addTargetOptions(command: Command, verb: string): Command {
  return command
    .option('-e, --env <env>', `the environment to ${verb} (from chartroom.yaml)`)
    .option('--app <dir>', "the app's folder, with chartroom.yaml (default: the current folder)")
    .option('--release <name>', 'Helm release name (default: from chartroom.yaml, else the app name)')
    .option('-n, --namespace <ns>', "namespace (default: the environment's)")
    .option(
      '-f, --values <file>',
      'another values file, after the environment’s (repeatable; sops files are decrypted in memory)',
      collect,
      [],
    )
    .option('--set <key=value>', 'a value, as helm --set (repeatable)', collect, [])
    .option('--set-string <key=value>', 'a string value, as helm --set-string (repeatable)', collect, [])
    .option(
      '--set-file <key=path>',
      'a value read from a file, as helm --set-file; sops files decrypted in memory (repeatable)',
      collect,
      [],
    )
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use');
}

export const registerDeploy: CommandGroup = (program: Command, io: CliIo) => {
  const deploy = addTargetOptions(
    program
      .command('deploy')
      .description(
        'deploy an app with Helm: sops secrets decrypted in memory, one deploy per release, a rollout tracker that explains failures',
      ),
    'deploy',
  )
    .option(
      '--timeout <duration>',
      'Helm 3 timeout, a Go duration such as 10m or 600s (default: chartroom.yaml, else 10m)',
    )
    .option('--atomic', 'roll back if the rollout fails (Helm --atomic)')
    .option(
      '--lock-timeout <duration>',
      'how long to wait while another deploy of the release runs (0s: fail at once)',
      '10m',
    )
    .option(
      '--grace-period <duration>',
      'time Helm gets after SIGTERM before SIGKILL (default 30s, 2m with --atomic)',
    )
    .option(
      '--recover-after <duration>',
      'recover a pending-* release this old even if no dead deploy left it',
      '15m',
    )
    .option('--no-create-namespace', 'fail instead of creating a missing namespace')
    .action(async (flags: DeployFlags, command: Command) => {
      const { out, signal, env, cwd } = contextFor(command, io);
      if (flags.env === undefined)
        throw new UsageError('missing --env', 'Say which environment to deploy, e.g. --env staging.');
      const { deploy: run, DeployFailedError, requireGoDuration } = await import('../deploy/index.js');
      if (flags.timeout !== undefined) requireGoDuration(flags.timeout, '--timeout');
      const renderer = deployRenderer(out, env);
      let result: DeployOutcomeSummary | undefined;
      try {
        result = await run({
          ...targetOptions(flags, flags.env),
          ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
          ...(flags.atomic === true ? { atomic: true } : {}),
          lockTimeoutMs: requireGoDuration(flags.lockTimeout, '--lock-timeout'),
          ...(flags.gracePeriod === undefined
            ? {}
            : { graceMs: requireGoDuration(flags.gracePeriod, '--grace-period') }),
          recoverAfterMs: requireGoDuration(flags.recoverAfter, '--recover-after'),
          createNamespace: flags.createNamespace,
          processEnv: env,
          cwd,
          signal,
          warn: (message) => {
            out.warn(message);
          },
          onEvent: (event) => {
            renderer.onEvent(event);
          },
        });
      } catch (error) {
        renderer.finish(error instanceof DeployFailedError ? error.result : undefined);
        throw error;
      }
      renderer.finish(result);
    });

  addTargetOptions(
    deploy
      .command('diff')
      .description(
        'what the deploy would change, object by object, without changing anything (Secret values shown as their length)',
      ),
    'compare',
  )
    .option('--exit-code', 'exit 1 when there are changes (as git diff --exit-code)')
    .action(async (_flags: unknown, command: Command) => {
      const { out, signal, env, cwd } = contextFor(command, io);
      // Options may come anywhere on the command line (the program does not use positional
      // options, so `deploy diff --output json` works), so `deploy` itself takes those it shares
      // with its subcommands (`deploy diff --env x` sets deploy's --env): read both.
      const flags = command.optsWithGlobals<DeployFlags & { exitCode?: boolean }>();
      if (flags.env === undefined)
        throw new UsageError(
          'missing --env',
          'Say which environment to compare, e.g. deploy diff --env staging.',
        );
      const { diffDeploy } = await import('../deploy/index.js');
      const diff = await diffDeploy({
        ...targetOptions(flags, flags.env),
        processEnv: env,
        cwd,
        signal,
        warn: (message) => {
          out.warn(message);
        },
      });
      out.result(diff, (value) => {
        renderDiff(value, out);
      });
      if (flags.exitCode === true && diff.changes > 0) throw new ExitRequest(ExitCode.findings);
    });

  deploy
    .command('history')
    .description('list recorded deploys, newest first')
    .option('--app <dir>', 'only this app (its folder, with chartroom.yaml)')
    .option('-e, --env <env>', 'only this environment')
    .option('--release <name>', 'only this release')
    .option('-n, --namespace <ns>', 'only this namespace')
    .addOption(new Option('--limit <n>', 'how many').argParser(limit).default(20))
    .action(async (_flags: unknown, command: Command) => {
      const { out, env, cwd } = contextFor(command, io);
      // deploy's --env, --app, --release and -n are where `deploy history --env x` lands (see diff).
      const flags = command.optsWithGlobals<HistoryFlags>();
      const { deployHistory, loadAppConfig } = await import('../deploy/index.js');
      const app = flags.app === undefined ? undefined : (await loadAppConfig(resolve(cwd, flags.app))).name;
      const records = await deployHistory({
        processEnv: env,
        filter: {
          ...(app === undefined ? {} : { app }),
          ...(flags.env === undefined ? {} : { env: flags.env }),
          ...(flags.release === undefined ? {} : { release: flags.release }),
          ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
          limit: flags.limit,
        },
      });
      out.result(records, (rows) => {
        if (rows.length === 0) {
          out.info('no deploys recorded yet');
          return;
        }
        out.table<DeployRecord>(rows, [
          { header: 'started', value: (r) => r.startedAt.replace('T', ' ').slice(0, 19) },
          { header: 'app', value: (r) => r.app },
          { header: 'env', value: (r) => r.env },
          { header: 'release', value: (r) => `${r.namespace}/${r.release}` },
          { header: 'rev', value: (r) => r.revision ?? '', align: 'right' },
          { header: 'result', value: (r) => r.result },
          {
            header: 'took',
            value: (r) => (r.durationMs === null ? '' : `${(r.durationMs / 1000).toFixed(1)}s`),
            align: 'right',
          },
          { header: 'who', value: (r) => r.who },
          { header: 'commit', value: (r) => r.commit?.slice(0, 12) ?? '' },
          { header: 'values', value: (r) => r.valuesDigest.slice(0, 12) },
          {
            header: 'diagnosis',
            value: (r) =>
              r.diagnosis?.summary ?? (r.recovery === null ? '' : `recovered: ${r.recovery.action}`),
          },
        ]);
      });
    });
};
