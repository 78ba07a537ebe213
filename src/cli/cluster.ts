import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { ChartroomError, ConfigError, ExitCode, NotFoundError, UsageError } from '../core/errors.js';
import type { WebhookCredentials } from '../cluster/index.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';

// The capability is imported inside each action: `chartroom --help` and other groups' commands
// must not pay for loading the Kubernetes client.

interface NameOption {
  name: string;
}

const nameOption = (): Option => new Option('--name <name>', 'cluster name').default('chartroom');

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 200) {
    throw new UsageError(`--nodes must be a whole number from 1 to 200, not "${value}"`);
  }
  return parsed;
}

export const registerCluster: CommandGroup = (program: Command, io: CliIo) => {
  const cluster = program
    .command('cluster')
    .description(
      'a real local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)',
    );

  cluster
    .command('up')
    .description('start a local cluster and wait until every node is Ready')
    .addOption(nameOption())
    .option(
      '--nodes <count>',
      'number of fake nodes (spread over 3 zones, spot and on-demand)',
      positiveInt,
      3,
    )
    .option('--audit-webhook <url>', 'send the API server audit events to this URL')
    .option('--token-webhook <url>', 'authenticate unknown bearer tokens with this TokenReview webhook')
    .option('--webhook-ca <file>', 'CA that signed the webhooks’ TLS certificates (else TLS is not verified)')
    .option(
      '--webhook-token-file <file>',
      'bearer token the API server sends to the webhooks (read from FILE)',
    )
    .option('--webhook-client-cert <file>', 'client certificate the API server presents to the webhooks')
    .option('--webhook-client-key <file>', 'key of --webhook-client-cert')
    .option('--token-webhook-cache-ttl <duration>', 'how long the API server caches token answers', '10s')
    .action(
      async (
        options: NameOption & {
          nodes: number;
          auditWebhook?: string;
          tokenWebhook?: string;
          webhookCa?: string;
          webhookTokenFile?: string;
          webhookClientCert?: string;
          webhookClientKey?: string;
          tokenWebhookCacheTtl: string;
        },
        command: Command,
      ) => {
        const { out, signal, env } = contextFor(command, io);
        checkWebhookFlags(options);
        const { upCluster } = await import('../cluster/index.js');
        const webhookCredentials = await readWebhookCredentials(options);
        const progress = out.progress().start(`starting cluster ${options.name}`);
        try {
          const result = await upCluster({
            name: options.name,
            nodes: options.nodes,
            auditWebhook: options.auditWebhook,
            tokenWebhook: options.tokenWebhook,
            webhookCaFile: options.webhookCa,
            webhookCredentials,
            tokenWebhookCacheTtl: options.tokenWebhookCacheTtl,
            env,
            signal,
            onProgress: (text) => {
              progress.update({ text });
            },
          });
          progress.succeed(
            result.created ? `cluster ${options.name} is up` : `cluster ${options.name} was already running`,
          );
          out.result(
            {
              name: result.state.name,
              created: result.created,
              seconds: result.seconds,
              server: result.state.server,
              kubeconfig: result.state.kubeconfig,
              nodes: result.state.nodes,
            },
            (value) => {
              out.line(`server:     ${value.server}`);
              out.line(`kubeconfig: ${value.kubeconfig}`);
              out.line(`nodes:      ${value.nodes.join(', ')}`);
              out.line('');
              out.line(`export KUBECONFIG=${value.kubeconfig}`);
            },
          );
        } catch (error) {
          progress.fail(`cluster ${options.name} did not start`);
          throw error;
        }
      },
    );

  cluster
    .command('down')
    .description('stop every process of a local cluster and remove its state')
    .addOption(nameOption())
    .action(async (options: NameOption, command: Command) => {
      const { out, env } = contextFor(command, io);
      const { downCluster } = await import('../cluster/index.js');
      const result = await downCluster({ name: options.name, env });
      if (result.remaining.length > 0) {
        throw new ChartroomError(
          `processes ${result.remaining.join(', ')} of cluster ${options.name} would not stop`,
          {
            code: 'cluster-stop-failed',
            exitCode: ExitCode.remote,
            hint: `Stop them by hand: kill -9 ${result.remaining.join(' ')}`,
          },
        );
      }
      out.result(result, (value) => {
        out.line(
          value.stopped === 0
            ? `cluster ${value.name} was not running`
            : `cluster ${value.name} stopped (${value.stopped} processes)`,
        );
      });
    });

  cluster
    .command('status')
    .description('show whether the cluster’s components run, and its nodes')
    .addOption(nameOption())
    .action(async (options: NameOption, command: Command) => {
      const { out, env } = contextFor(command, io);
      const { clusterStatus } = await import('../cluster/index.js');
      const status = await clusterStatus({ name: options.name, env });
      out.result(status, (value) => {
        if (!value.exists) {
          out.line(`no cluster named ${value.name}; start one with \`chartroom cluster up\``);
          return;
        }
        out.line(
          `cluster ${value.name}: ${value.healthy ? 'healthy' : 'NOT healthy'}  ${value.server ?? ''}`,
        );
        out.table(value.components, [
          { header: 'Component', value: (c) => c.name },
          { header: 'PID', value: (c) => c.pid, align: 'right' },
          { header: 'State', value: (c) => (c.running ? 'running' : 'stopped') },
          { header: 'Log', value: (c) => c.logFile },
        ]);
        for (const component of value.components) {
          if (component.lastLog !== undefined && component.lastLog.length > 0) {
            out.line(`\n${component.name} is not running; its last log lines:`);
            for (const line of component.lastLog) out.line(`  ${line}`);
          }
        }
        if (value.nodes !== undefined) {
          out.line('');
          out.table(value.nodes, [
            { header: 'Node', value: (n) => n.name },
            { header: 'Ready', value: (n) => (n.ready ? 'yes' : 'no') },
            { header: 'Zone', value: (n) => n.zone },
            { header: 'Type', value: (n) => n.instanceType },
            { header: 'Capacity', value: (n) => n.capacityType },
          ]);
        }
      });
      if (!status.healthy) process.exitCode = status.exists ? ExitCode.remote : ExitCode.notFound;
    });

  cluster
    .command('kubeconfig')
    .description('print the path of the cluster’s admin kubeconfig')
    .addOption(nameOption())
    .action(async (options: NameOption, command: Command) => {
      const { out, env } = contextFor(command, io);
      const { clusterKubeconfig } = await import('../cluster/index.js');
      const path = clusterKubeconfig({ name: options.name, env });
      out.result({ kubeconfig: path }, () => {
        out.line(path);
      });
    });
};

/** The API server's credentials for the webhooks; the token comes from a file so `ps` never shows it. */
/** A Go duration, as kube-apiserver's --authentication-token-webhook-cache-ttl takes it. */
const goDuration = /^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

/**
 * Checked before anything starts: kube-apiserver would only fail on them seconds later, as a
 * component that "did not start" (exit 6) with the reason deep in its log.
 */
function checkWebhookFlags(options: {
  auditWebhook?: string;
  tokenWebhook?: string;
  webhookCa?: string;
  tokenWebhookCacheTtl: string;
}): void {
  for (const [flag, value] of [
    ['--audit-webhook', options.auditWebhook],
    ['--token-webhook', options.tokenWebhook],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^/\s]+/.test(value))
      throw new UsageError(
        `${flag} must be an http(s) URL, not "${value}"`,
        'e.g. https://127.0.0.1:9765/k8s-audit',
      );
  }
  if (!goDuration.test(options.tokenWebhookCacheTtl))
    throw new UsageError(
      `--token-webhook-cache-ttl must be a duration, not "${options.tokenWebhookCacheTtl}"`,
      'Write it as kube-apiserver does, e.g. 10s, 2m or 1m30s.',
    );
  if (options.webhookCa !== undefined && !statSync(options.webhookCa, { throwIfNoEntry: false })?.isFile())
    throw new NotFoundError(
      `--webhook-ca ${options.webhookCa} is not a file`,
      'Pass the PEM file of the CA.',
    );
}

async function readWebhookCredentials(options: {
  webhookTokenFile?: string;
  webhookClientCert?: string;
  webhookClientKey?: string;
}): Promise<WebhookCredentials | undefined> {
  if ((options.webhookClientCert === undefined) !== (options.webhookClientKey === undefined)) {
    throw new UsageError(
      '--webhook-client-cert and --webhook-client-key go together',
      'Give both the certificate and its key, or neither.',
    );
  }
  let token: string | undefined;
  if (options.webhookTokenFile !== undefined) {
    const { readFile } = await import('node:fs/promises');
    try {
      token = (await readFile(options.webhookTokenFile, 'utf8')).trim();
    } catch (error) {
      throw new ConfigError(
        `cannot read the webhook token file ${options.webhookTokenFile}`,
        'Check the path and that you may read it.',
        error,
      );
    }
    if (token === '') throw new ConfigError(`the webhook token file ${options.webhookTokenFile} is empty`);
  }
  if (token === undefined && options.webhookClientCert === undefined) return undefined;
  return {
    ...(token === undefined ? {} : { token }),
    ...(options.webhookClientCert === undefined
      ? {}
      : { clientCertFile: options.webhookClientCert, clientKeyFile: options.webhookClientKey }),
  };
}
