/**
 * `chartroom nodes …`: the termination agent (IMDS), the queue watcher (EventBridge in SQS), a
 * deadline-aware drain and the fleet audit. The capability is imported inside each action so the
 * rest of the CLI never pays for the Kubernetes client or the AWS SDK.
 */
import { Option, type Command } from 'commander';
import { ChartroomError, ExitCode } from '../core/errors.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import type { ResponseSettings } from '../nodes/index.js';
import { drainEventLine, renderAudit, renderDrainReport } from './nodes-render.js';

interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

interface DrainFlags extends KubeFlags {
  deadline?: string;
  deleteEmptydirData?: boolean;
  force?: boolean;
  ignoreDaemonsets?: boolean;
  gracePeriod?: string;
  podSelector?: string;
  disableEviction?: boolean;
  retryInterval: string;
  skipWaitForDeleteTimeout?: string;
  dryRun?: boolean;
}

function kubeOptions(command: Command): void {
  command
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context');
}

function wholeSeconds(flag: string) {
  return (value: string): string => {
    if (!/^-?\d+$/.test(value)) {
      throw new ChartroomError(`${flag} must be a whole number of seconds, not "${value}"`, {
        code: 'usage',
        exitCode: ExitCode.usage,
        hint: `e.g. ${flag} 30`,
      });
    }
    return value;
  };
}

async function kubeClient(flags: KubeFlags) {
  const { KubeClient } = await import('../kube/index.js');
  // Without --kubeconfig the client reads KUBECONFIG itself: it may be a list (a:b), not a path.
  return KubeClient.load({
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
  });
}

export const nodesGroup: CommandGroup = (program: Command, io: CliIo) => {
  const nodes = program
    .command('nodes')
    .description(
      'spot and ASG termination handling (IMDS agent, SQS queue watcher), deadline-aware drain, AZRebalance audit',
    );

  const drain = nodes
    .command('drain')
    .argument('<node>', 'the node to drain')
    .description(
      'kubectl drain with a deadline: evictions ordered and grace periods cut to fit it, a live view of blocking PodDisruptionBudgets, a report of what was left',
    )
    .option('--deadline <when>', 'finish by then: a duration (110s, 2m) or an RFC 3339 time')
    .option('--delete-emptydir-data', 'also evict pods using emptyDir (their data is lost)')
    .option('--force', 'also evict pods no controller manages')
    .option('--ignore-daemonsets', 'accepted for kubectl compatibility; DaemonSet pods are always skipped')
    .option(
      '--grace-period <seconds>',
      "override every pod's terminationGracePeriodSeconds",
      wholeSeconds('--grace-period'),
    )
    .option('--pod-selector <selector>', 'only pods matching this label selector')
    .option('--disable-eviction', 'delete pods instead of evicting them (bypasses PodDisruptionBudgets)')
    .option('--retry-interval <duration>', 'pause between evictions a budget refused', '2s')
    .option(
      '--skip-wait-for-delete-timeout <seconds>',
      'do not wait for pods deleted longer ago than this',
      wholeSeconds('--skip-wait-for-delete-timeout'),
    )
    .option('--dry-run', 'show what would be evicted, in which order and with which grace, and stop');
  kubeOptions(drain);
  drain.action(async (node: string, flags: DrainFlags, command: Command) => {
    const { out, signal } = contextFor(command, io);
    const { drainNode, parseDeadline, parseDuration } = await import('../nodes/index.js');
    const deadline = flags.deadline === undefined ? undefined : parseDeadline(flags.deadline);
    const client = await kubeClient(flags);
    const report = await drainNode({
      client,
      node,
      ...(deadline === undefined ? {} : { deadline }),
      deleteEmptyDirData: flags.deleteEmptydirData === true,
      force: flags.force === true,
      ...(flags.gracePeriod === undefined || Number(flags.gracePeriod) < 0
        ? {}
        : { gracePeriodSeconds: Number(flags.gracePeriod) }),
      ...(flags.podSelector === undefined ? {} : { podSelector: flags.podSelector }),
      disableEviction: flags.disableEviction === true,
      retryIntervalMs: parseDuration(flags.retryInterval, '--retry-interval'),
      ...(flags.skipWaitForDeleteTimeout === undefined
        ? {}
        : { skipWaitForDeleteTimeoutSeconds: Number(flags.skipWaitForDeleteTimeout) }),
      dryRun: flags.dryRun === true,
      signal,
      onEvent: (event) => {
        out.info(drainEventLine(event));
      },
    });
    out.result(report, renderDrainReport);
    if (report.status === 'refused') {
      throw new ChartroomError(
        `cannot drain ${node}: ${report.refused.length} pod(s) need a flag to be evicted`,
        {
          code: 'drain-refused',
          exitCode: ExitCode.findings,
          hint: 'Add --force for pods without a controller and --delete-emptydir-data for emptyDir pods, as kubectl drain asks.',
        },
      );
    }
    if (report.status === 'incomplete') {
      throw new ChartroomError(`${report.left.length} pod(s) were still on ${node} at the deadline`, {
        code: 'drain-incomplete',
        exitCode: ExitCode.timeout,
        hint: 'The report names each pod and what held it; relax the budgets named there or give the drain more time.',
      });
    }
  });
  registerAgent(nodes, io);
  registerWatchQueue(nodes, io);
  registerAudit(nodes, io);
};

interface ResponseFlags extends KubeFlags {
  drainTimeout: string;
  deadlineMargin: string;
  deleteEmptydirData: boolean;
  force: boolean;
  gracePeriod?: string;
  retryInterval: string;
  taintEffect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  onRebalance: 'drain' | 'cordon' | 'ignore';
  webhookUrl?: string;
  webhookTemplate?: string;
  webhookHeader: string[];
  metricsAddress: string;
  logFormat: 'json' | 'text';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

interface AgentFlags extends ResponseFlags {
  nodeName?: string;
  imdsEndpoint?: string;
  imdsTimeout: string;
  pollInterval: string;
  spot: boolean;
  rebalance: boolean;
  scheduledEvents: boolean;
  asgLifecycle: boolean;
  onScheduledEvent: 'drain' | 'cordon' | 'ignore';
  scheduledLead: string;
  uncordonAfterReboot: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const actionChoices = ['drain', 'cordon', 'ignore'];

/** Flags the agent and the queue watcher share: how a notice is answered, logs, metrics. */
function responseOptions(command: Command, metricsDefault: string): void {
  command
    .option(
      '--drain-timeout <duration>',
      'longest a drain may take; the deadline when a notice has none',
      '120s',
    )
    .option('--deadline-margin <duration>', "finish the drain this long before the instance's end", '10s')
    .option('--no-delete-emptydir-data', 'do not evict pods using emptyDir (they are evicted by default)')
    .option('--no-force', 'do not evict pods without a controller (they are evicted by default)')
    .option(
      '--grace-period <seconds>',
      "override every pod's terminationGracePeriodSeconds",
      wholeSeconds('--grace-period'),
    )
    .option('--retry-interval <duration>', 'pause between evictions a budget refused', '2s')
    .addOption(
      new Option('--taint-effect <effect>', 'effect of the taint put on a node with a notice')
        .choices(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
        .default('NoSchedule'),
    )
    .addOption(
      new Option('--on-rebalance <action>', 'what a rebalance recommendation does')
        .choices(actionChoices)
        .default('cordon'),
    )
    .option(
      '--webhook-url <url>',
      'post notices and drain results here (Slack incoming webhook or any URL); env WEBHOOK_URL',
    )
    .option(
      '--webhook-template <json>',
      'JSON body with {{ .Message }}, {{ .NodeName }}, {{ .Kind }}, … placeholders',
    )
    .option('--webhook-header <header>', '"Name: value" header for webhook posts (repeatable)', collect, [])
    .option('--metrics-address <host:port>', 'where /metrics and /healthz listen, or "off"', metricsDefault)
    .addOption(
      new Option('--log-format <format>', 'log lines as JSON or text')
        .choices(['json', 'text'])
        .default('json'),
    )
    .addOption(
      new Option('--log-level <level>', 'lowest level logged')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    );
  kubeOptions(command);
}

async function responseSettings(flags: ResponseFlags, env: NodeJS.ProcessEnv): Promise<ResponseSettings> {
  const { parseDuration, parseInterval, parseHeaders } = await import('../nodes/index.js');
  const webhookUrl = flags.webhookUrl ?? env.WEBHOOK_URL;
  return {
    actions: { 'rebalance-recommendation': flags.onRebalance },
    deleteEmptyDirData: flags.deleteEmptydirData,
    force: flags.force,
    ...(flags.gracePeriod === undefined ? {} : { gracePeriodSeconds: Number(flags.gracePeriod) }),
    retryIntervalMs: parseInterval(flags.retryInterval, '--retry-interval'),
    taintEffect: flags.taintEffect,
    deadlineMarginMs: parseDuration(flags.deadlineMargin, '--deadline-margin'),
    drainTimeoutMs: parseDuration(flags.drainTimeout, '--drain-timeout'),
    ...(webhookUrl === undefined
      ? {}
      : {
          webhook: {
            url: webhookUrl,
            ...(flags.webhookTemplate === undefined ? {} : { template: flags.webhookTemplate }),
            headers: parseHeaders(flags.webhookHeader),
          },
        }),
  };
}

function registerAgent(nodes: Command, io: CliIo): void {
  const agent = nodes
    .command('agent')
    .description(
      'per-node termination handler (run it as a DaemonSet): polls IMDS for spot interruptions, rebalance recommendations, scheduled events and the ASG lifecycle state; taints, cordons and drains',
    )
    .option('--node-name <name>', 'the node this agent runs on (default: env NODE_NAME)')
    .option(
      '--imds-endpoint <url>',
      'instance metadata endpoint (default: env AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254)',
    )
    .option('--imds-timeout <duration>', 'per-request IMDS timeout', '2s')
    .option('--poll-interval <duration>', 'how often IMDS is polled', '2s')
    .option('--no-spot', 'ignore spot interruption notices')
    .option('--no-rebalance', 'do not watch for rebalance recommendations')
    .option('--no-scheduled-events', 'ignore scheduled maintenance events')
    .option('--no-asg-lifecycle', 'ignore the ASG target lifecycle state')
    .addOption(
      new Option('--on-scheduled-event <action>', 'what a scheduled maintenance event does')
        .choices(actionChoices)
        .default('drain'),
    )
    .option('--scheduled-lead <duration>', 'act on a scheduled event this long before it starts', '1h')
    .option('--no-uncordon-after-reboot', 'leave the node cordoned after a scheduled reboot');
  responseOptions(agent, '0.0.0.0:9092');
  agent.action(async (flags: AgentFlags, command: Command) => {
    const { out, signal, env } = contextFor(command, io);
    const { runAgent, createLogger, parseDuration, parseInterval, parseListenAddress } =
      await import('../nodes/index.js');
    const nodeName = flags.nodeName ?? env.NODE_NAME;
    if (nodeName === undefined || nodeName === '') {
      throw new ChartroomError('the agent needs the name of its node', {
        code: 'usage',
        exitCode: ExitCode.usage,
        hint: 'Pass --node-name, or set NODE_NAME (a DaemonSet gets it from fieldRef spec.nodeName).',
      });
    }
    const settings = await responseSettings(flags, env);
    settings.actions = { ...settings.actions, 'scheduled-maintenance': flags.onScheduledEvent };
    const metrics = parseListenAddress(flags.metricsAddress);
    const log = createLogger({
      write: (line) => {
        out.raw(line + '\n');
      },
      format: flags.logFormat,
      level: flags.logLevel,
    });
    const endpoint = flags.imdsEndpoint ?? env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
      throw new ChartroomError(`the IMDS endpoint must be an http:// URL, not "${endpoint}"`, {
        code: 'usage',
        exitCode: ExitCode.usage,
        hint: 'e.g. --imds-endpoint http://169.254.169.254 (or AWS_EC2_METADATA_SERVICE_ENDPOINT).',
      });
    }
    // Every flag is checked before the cluster is contacted.
    const pollIntervalMs = parseInterval(flags.pollInterval, '--poll-interval');
    await runAgent({
      client: await kubeClient(flags),
      nodeName,
      imds: {
        ...(endpoint === undefined ? {} : { endpoint }),
        timeoutMs: parseDuration(flags.imdsTimeout, '--imds-timeout'),
      },
      pollIntervalMs,
      monitors: {
        spot: flags.spot,
        rebalance: flags.rebalance,
        scheduled: flags.scheduledEvents,
        asgLifecycle: flags.asgLifecycle,
      },
      scheduledLeadMs: parseDuration(flags.scheduledLead, '--scheduled-lead'),
      uncordonAfterReboot: flags.uncordonAfterReboot,
      settings,
      ...(metrics === undefined ? {} : { metrics }),
      log,
      signal,
    });
  });
}

interface QueueFlags extends ResponseFlags {
  queueUrl: string;
  region?: string;
  workers: string;
  heartbeatInterval?: string;
}

function registerWatchQueue(nodes: Command, io: CliIo): void {
  const watch = nodes
    .command('watch-queue')
    .description(
      'queue mode (run it as a Deployment): EventBridge events in SQS (ASG lifecycle termination, spot interruption, rebalance, state change, AWS Health); drains the named node, then completes the lifecycle action',
    )
    .requiredOption('--queue-url <url>', 'the SQS queue EventBridge sends the events to')
    .option('--region <region>', 'AWS region (default: AWS_REGION, else the one in the queue URL)')
    .option('--workers <count>', 'messages handled at once', '10')
    .option('--heartbeat-interval <duration>', 'send lifecycle heartbeats this often while draining');
  responseOptions(watch, '0.0.0.0:9092');
  watch.action(async (flags: QueueFlags, command: Command) => {
    const { out, signal, env } = contextFor(command, io);
    const { watchQueue, createLogger, parseInterval, parseListenAddress } = await import('../nodes/index.js');
    const workers = Number(flags.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 100) {
      throw new ChartroomError(`--workers must be a whole number from 1 to 100, not "${flags.workers}"`, {
        code: 'usage',
        exitCode: ExitCode.usage,
        hint: 'e.g. --workers 10',
      });
    }
    const metrics = parseListenAddress(flags.metricsAddress);
    const heartbeatIntervalMs =
      flags.heartbeatInterval === undefined
        ? undefined
        : parseInterval(flags.heartbeatInterval, '--heartbeat-interval');
    const settings = await responseSettings(flags, env);
    await watchQueue({
      client: await kubeClient(flags),
      queueUrl: flags.queueUrl,
      ...(flags.region === undefined ? {} : { region: flags.region }),
      workers,
      ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
      settings,
      ...(metrics === undefined ? {} : { metrics }),
      log: createLogger({
        write: (line) => {
          out.raw(line + '\n');
        },
        format: flags.logFormat,
        level: flags.logLevel,
      }),
      env,
      signal,
    });
  });
}

interface AuditFlags {
  kops?: string;
  aws?: boolean;
  region?: string;
  asg: string[];
  tag: string[];
  failOn: 'error' | 'warning' | 'info';
}

function registerAudit(nodes: Command, io: CliIo): void {
  nodes
    .command('audit')
    .description(
      'find node groups that lose nodes without a drain: AZRebalance not suspended, no termination lifecycle hook, capacity rebalancing off, a single spot instance type, …, each with its fix',
    )
    .option('--kops <dir>', 'kops InstanceGroup YAML (a folder or a file, e.g. from `kops get ig -o yaml`)')
    .option('--aws', "read the region's Auto Scaling groups (credentials the standard AWS way)")
    .option('--region <region>', 'AWS region for --aws (default: AWS_REGION)')
    .option('--asg <name>', 'only this Auto Scaling group (repeatable)', collect, [])
    .option('--tag <key[=value]>', 'only Auto Scaling groups with this tag (repeatable)', collect, [])
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe')
        .choices(['error', 'warning', 'info'])
        .default('error'),
    )
    .action(async (flags: AuditFlags, command: Command) => {
      const { out, signal, env } = contextFor(command, io);
      if (flags.kops === undefined && flags.aws !== true) {
        throw new ChartroomError('nothing to audit', {
          code: 'usage',
          exitCode: ExitCode.usage,
          hint: 'Pass --kops <dir> with your InstanceGroup YAML, --aws for the Auto Scaling groups, or both.',
        });
      }
      const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (flags.aws === true && region === undefined) {
        throw new ChartroomError('--aws needs a region', {
          code: 'usage',
          exitCode: ExitCode.usage,
          hint: 'Pass --region or set AWS_REGION.',
        });
      }
      const { auditNodeGroups } = await import('../nodes/index.js');
      const report = await auditNodeGroups({
        ...(flags.kops === undefined ? {} : { kops: flags.kops }),
        ...(flags.aws === true && region !== undefined
          ? {
              aws: {
                region,
                ...(flags.asg.length === 0 ? {} : { names: flags.asg }),
                ...(flags.tag.length === 0 ? {} : { tags: flags.tag }),
              },
            }
          : {}),
        failOn: flags.failOn,
        signal,
      });
      out.result(report, renderAudit);
      if (!report.passed) {
        throw new ChartroomError(`the audit found ${report.failing} problem(s) at or above ${flags.failOn}`, {
          code: 'audit-findings',
          exitCode: ExitCode.findings,
          hint: 'Each finding above comes with its fix.',
        });
      }
    });
}
