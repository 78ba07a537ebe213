/**
 * `chartroom dev`: run one service locally against a cluster environment (its env, forwards to
 * its dependencies, optionally `--swap` to take its cluster traffic), `dev env` to print that
 * environment, `dev restore` and `dev status` for swaps. Parsing and rendering only; the work is
 * in src/dev, imported inside each action.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { EnvFormat } from '../dev/index.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { devEventPrinter, outcomeLine } from './dev-render.js';
import { ExitRequest } from './program.js';
import { collect } from './scan-db.js';

interface TargetFlags {
  env?: string;
  namespace?: string;
  appDir?: string;
  workload?: string;
  container?: string;
  kubeconfig?: string;
  context?: string;
}

interface DevFlags extends TargetFlags {
  forward: string[];
  scan: boolean;
  localPort: string[];
  swap?: boolean;
  expose: string[];
  relayImage?: string;
  lease: string;
  readyTimeout: string;
  writeEnv?: string;
  envFormat: string;
}

interface EnvFlags extends TargetFlags {
  format: string;
  showSecrets?: boolean;
}

interface RestoreFlags extends TargetFlags {
  all?: boolean;
  allNamespaces?: boolean;
  force?: boolean;
}

// Subcommands read their flags with optsWithGlobals: options that `dev` has too (--env,
// --namespace, --kubeconfig…) are parsed by `dev` wherever they stand on the command line.
const formats = ['dotenv', 'shell', 'docker', 'json'];

function targetOptions(command: Command): Command {
  return command
    .option('-e, --env <env>', 'the environment in chartroom.yaml, or a preview (branch or label)')
    .option('-n, --namespace <ns>', 'the namespace, instead of an environment')
    .option('--app-dir <dir>', 'the folder with chartroom.yaml (default: <app> if a folder, else here)')
    .option('--workload <name>', 'the Deployment or StatefulSet (deployment/x, statefulset/x or x)')
    .option('--container <name>', 'the container, when the pod has several')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use');
}

function pick<T extends object>(flags: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function targetFlags(flags: TargetFlags): TargetFlags {
  const { env, namespace, appDir, workload, container, kubeconfig, context } = flags;
  return pick({ env, namespace, appDir, workload, container, kubeconfig, context });
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new UsageError(`${flag}: ${text} is not a port`, 'Ports are whole numbers from 1 to 65535.');
  }
  return value;
}

/** `--local-port redis=16379`, `--local-port mysql:3306=13306`. */
function localPorts(values: readonly string[]): Map<string, number> {
  const ports = new Map<string, number>();
  for (const value of values) {
    const match = /^([a-z0-9-]+(?::\d+)?)=(\d+)$/.exec(value);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new UsageError(
        `--local-port ${value}: expected <service>[:<port>]=<local port>`,
        'e.g. --local-port redis=16379',
      );
    }
    ports.set(match[1], port(match[2], '--local-port'));
  }
  return ports;
}

/** `--expose 8080` (same port locally) or `--expose 8080:3000` (cluster port : local port). */
function exposed(values: readonly string[]): Map<number, number> {
  const ports = new Map<number, number>();
  for (const value of values) {
    const [remote = '', local = remote, extra] = value.split(':');
    if (extra !== undefined) throw new UsageError(`--expose ${value}: expected <port>[:<local port>]`);
    ports.set(port(remote, '--expose'), port(local, '--expose'));
  }
  return ports;
}

async function durationMs(text: string, flag: string): Promise<number> {
  const { parseGoDuration } = await import('../deploy/index.js');
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${text} is not a duration`, 'e.g. 30s, 2m.');
  return ms;
}

export const registerDev: CommandGroup = (program: Command, io: CliIo) => {
  const dev = targetOptions(
    program
      .command('dev')
      .description('run one service locally against a cluster environment (env, forwards, --swap)')
      .argument('<app>', 'the app: its name in chartroom.yaml, or its folder')
      .argument('[command...]', 'the command to run, after --; none: hold the forwards until Ctrl-C'),
  )
    .option('--forward <svc>', 'also forward this Service (<svc>[:<port>,…] or <ns>/<svc>…)', collect, [])
    .option('--no-scan', 'do not look for cluster hosts in env values (only declared dependencies)')
    .option('--local-port <svc=port>', 'the local port for a Service (<svc>[:<port>]=<local>)', collect, [])
    .option('--swap', 'send the cluster’s traffic for the app to the local process')
    .option('--expose <port[:local]>', 'with --swap: where a relayed port goes locally', collect, [])
    .option('--relay-image <image>', 'with --swap: the relay’s image (needs node)')
    .option('--lease <duration>', 'with --swap: how long the swap outlives a silent CLI', '30s')
    .option('--ready-timeout <duration>', 'with --swap: how long to wait for the relay', '2m')
    // Not --env-file: Node reads that from anywhere in argv, and exits 9 when the file does not
    // exist yet, before Chartroom runs (nodejs/node#54232).
    .option('--write-env <file>', 'also write the rewritten environment here while running (0600)')
    .option('--env-format <format>', `format of --write-env: ${formats.join(', ')}`, 'dotenv')
    .action(async (app: string, commandLine: string[], flags: DevFlags, command: Command) => {
      const { out, signal, env, cwd } = contextFor(command, io);
      if (!formats.includes(flags.envFormat)) {
        throw new UsageError(
          `--env-format ${flags.envFormat} is not known`,
          `Use one of ${formats.join(', ')}.`,
        );
      }
      const leaseMs = await durationMs(flags.lease, '--lease');
      const readyTimeoutMs = await durationMs(flags.readyTimeout, '--ready-timeout');
      const { runDev } = await import('../dev/index.js');
      const result = await runDev({
        app,
        cwd,
        ...targetFlags(flags),
        forward: flags.forward,
        scan: flags.scan,
        localPorts: localPorts(flags.localPort),
        swap: flags.swap === true,
        expose: exposed(flags.expose),
        ...(flags.relayImage === undefined ? {} : { relayImage: flags.relayImage }),
        leaseDurationSeconds: Math.max(5, Math.round(leaseMs / 1000)),
        readyTimeoutMs,
        ...(flags.writeEnv === undefined ? {} : { envFile: flags.writeEnv }),
        envFileFormat: flags.envFormat as EnvFormat,
        command: commandLine,
        processEnv: env,
        signal,
        onEvent: devEventPrinter(out),
      });
      if (result.exitCode !== 0) throw new ExitRequest(result.exitCode);
    });

  targetOptions(
    dev
      .command('env')
      .description('print the app’s environment as its pod gets it (dotenv for IDE run configurations)')
      .argument('<app>', 'the app: its name in chartroom.yaml, or its folder'),
  )
    .option('--format <format>', `output format: ${formats.join(', ')}`, 'dotenv')
    .option('--show-secrets', 'print Secret values instead of masking them')
    .action(async (app: string, _flags: unknown, command: Command) => {
      const { out, cwd } = contextFor(command, io);
      const flags = command.optsWithGlobals<EnvFlags>();
      if (!formats.includes(flags.format)) {
        throw new UsageError(`--format ${flags.format} is not known`, `Use one of ${formats.join(', ')}.`);
      }
      const { prepareDev, formatEnv } = await import('../dev/index.js');
      const { target, workload, env } = await prepareDev({ app, cwd, ...targetFlags(flags), scan: false });
      const showSecrets = flags.showSecrets === true;
      const format = out.json ? 'json' : (flags.format as EnvFormat);
      const formatted = formatEnv(env, {
        format,
        showSecrets,
        header: [
          `chartroom dev env ${app}: ${workload.ref.kind}/${workload.ref.name} container ${workload.container.name} in ${target.namespace}`,
          ...(showSecrets ? [] : ['Secret values are masked; --show-secrets prints them.']),
        ],
      });
      out.raw(formatted.text);
      if (formatted.masked > 0 && !out.json)
        out.info(`${formatted.masked} secret value(s) masked (--show-secrets)`);
      for (const name of formatted.skipped)
        out.warn(`${name} is left out: a docker env-file cannot hold a newline`);
    });

  dev
    .command('restore')
    .description('put swapped workloads back (after a killed CLI; the server’s sweeper also does it)')
    .argument('[app]', 'the app whose workload to restore')
    .option('-e, --env <env>', 'the environment in chartroom.yaml, or a preview')
    .option('-n, --namespace <ns>', 'the namespace')
    .option('--app-dir <dir>', 'the folder with chartroom.yaml')
    .option('--workload <name>', 'the Deployment or StatefulSet')
    .option('--all', 'every swap in the namespace (--namespace) or the cluster (--all-namespaces)')
    .option('-A, --all-namespaces', 'with --all: every namespace')
    .option('--force', 'also take back a swap whose session is still alive')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .action(async (app: string | undefined, _flags: unknown, command: Command) => {
      const { out, cwd } = contextFor(command, io);
      const flags = command.optsWithGlobals<RestoreFlags>();
      const { restoreSwaps } = await import('../dev/index.js');
      const reports = await restoreSwaps({
        cwd,
        ...(app === undefined ? {} : { app }),
        ...targetFlags(flags),
        ...pick({ all: flags.all, allNamespaces: flags.allNamespaces, force: flags.force }),
      });
      out.result(reports, (rows) => {
        if (rows.length === 0) out.line('no swaps');
        for (const { ref, outcome } of rows) {
          out.line(`${ref.kind} ${ref.namespace}/${ref.name}: ${outcomeLine(outcome)}`);
        }
      });
    });

  dev
    .command('status')
    .description('the swaps in place, who holds them and until when')
    .option('-n, --namespace <ns>', 'only this namespace (default: every namespace)')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .action(async (_flags: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      const { namespace, kubeconfig, context } = command.optsWithGlobals<TargetFlags>();
      const { swapStatus } = await import('../dev/index.js');
      const swaps = await swapStatus(pick({ namespace, kubeconfig, context }));
      out.result(swaps, (rows) => {
        if (rows.length === 0) {
          out.line('no swaps');
          return;
        }
        out.table(rows, [
          { header: 'NAMESPACE', value: (row) => row.ref.namespace },
          { header: 'WORKLOAD', value: (row) => `${row.ref.kind}/${row.ref.name}` },
          { header: 'HELD BY', value: (row) => row.record.holder },
          { header: 'SINCE', value: (row) => row.record.startedAt.slice(0, 19).replace('T', ' ') },
          {
            header: 'LEASE UNTIL',
            value: (row) => row.lease?.expiresAt.toISOString().slice(0, 19) ?? 'none',
          },
          {
            header: 'STATE',
            value: (row) => (row.owner === undefined ? (row.expired ? 'abandoned' : 'idle') : 'live'),
          },
          { header: 'CHANGED', value: (row) => (row.intact ? '' : 'yes') },
        ]);
      });
    });
};
