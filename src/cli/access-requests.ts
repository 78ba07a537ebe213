/** `chartroom access request|requests|approve|deny|revoke|expire|audit`: time-boxed access. */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { Output } from '../core/output/index.js';
import {
  catalogModule,
  formatDuration,
  parseDuration,
  requestsModule,
  type AccessRequest,
  type AccessRequests,
  type ClusterEntry,
  type Principal,
  type RbacClient,
} from '../access/index.js';
import { contextFor, type CliContext, type CliIo } from './context.js';

interface Common {
  catalog?: string;
  database?: string;
}

async function session<T>(ctx: CliContext, flags: Common, work: (s: Session) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/index.js');
  const [catalogApi, requestsApi] = await Promise.all([catalogModule(), requestsModule()]);
  const catalog = await catalogApi.loadCatalog({
    ...(flags.catalog === undefined ? {} : { path: flags.catalog }),
    env: ctx.env,
  });
  const store = await openStore({
    ...(flags.database === undefined ? {} : { url: flags.database }),
    env: ctx.env,
  });
  try {
    const service = await requestsApi.AccessRequests.open({ store });
    const cluster = (name: string): ClusterEntry => catalogApi.findCluster(catalog, name);
    const policy = (entry: ClusterEntry) => ({
      approvers: entry.approvers,
      maxDurationSeconds: entry.maxDurationSeconds,
    });
    return await work({
      service,
      cluster,
      policy,
      me: (entry) => requestsApi.currentPrincipal({ region: entry.region, env: ctx.env }),
      rbac: (entry, options) =>
        requestsApi.kubeRbacClient({
          ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
          ...((options.context ?? entry.adminContext) === undefined
            ? {}
            : { context: options.context ?? entry.adminContext }),
        }),
    });
  } finally {
    await store.close();
  }
}

interface Session {
  service: AccessRequests;
  cluster(name: string): ClusterEntry;
  policy(entry: ClusterEntry): { approvers: readonly string[]; maxDurationSeconds: number };
  me(entry: ClusterEntry): Promise<Principal>;
  rbac(entry: ClusterEntry, options: { kubeconfig?: string; context?: string }): RbacClient;
}

function withCommon(command: Command): Command {
  return command
    .option(
      '--catalog <file>',
      'clusters catalog (default $CHARTROOM_CLUSTERS or ~/.config/chartroom/clusters.yaml)',
    )
    .option(
      '--database <url>',
      'where requests are kept (default $CHARTROOM_DATABASE_URL, else the local SQLite)',
    );
}

function withCluster(command: Command): Command {
  return withCommon(command)
    .option('--kubeconfig <file>', 'kubeconfig with rights to manage RoleBindings on the cluster')
    .option('--context <name>', "its context (default: the catalog's adminContext, else the current one)");
}

function describeRequest(request: AccessRequest): string {
  const scope = request.namespace === undefined ? 'cluster-wide' : `namespace ${request.namespace}`;
  const until = request.expiresAt === undefined ? '' : ` until ${request.expiresAt}`;
  return `${request.id}  ${request.state}  ${request.cluster}  ${request.level} ${scope} for ${formatDuration(request.durationSeconds)}${until}  by ${request.requester.arn}: ${request.reason}`;
}

function show(out: Output, request: AccessRequest, verb: string): void {
  out.result(request, (value, o) => {
    o.line(`${verb}: ${describeRequest(value)}`);
  });
}

export function registerAccessRequests(access: Command, io: CliIo): void {
  withCommon(
    access
      .command('request')
      .description('ask for time-boxed access to a cluster; an approver grants or denies it')
      .requiredOption('-c, --cluster <name>', 'cluster in the catalog')
      .requiredOption('-l, --level <level>', 'view, edit or admin')
      .option('-n, --namespace <name>', 'limit the grant to one namespace (default: the whole cluster)')
      .requiredOption('--for <duration>', 'how long, e.g. 8h, 30m')
      .requiredOption('--reason <text>', 'why (shown to approvers and kept in the audit trail)'),
  ).action(
    async (
      flags: Common & { cluster: string; level: string; namespace?: string; for: string; reason: string },
      command: Command,
    ) => {
      const ctx = contextFor(command, io);
      if (!['view', 'edit', 'admin'].includes(flags.level))
        throw new UsageError(`unknown level ${flags.level}`, 'Use --level view, edit or admin.');
      const durationSeconds = parseDuration(flags.for);
      const request = await session(ctx, flags, async (s) => {
        const entry = s.cluster(flags.cluster);
        return s.service.request({
          cluster: entry.name,
          level: flags.level as 'view' | 'edit' | 'admin',
          ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
          durationSeconds,
          reason: flags.reason,
          requester: await s.me(entry),
          policy: s.policy(entry),
        });
      });
      show(ctx.out, request, 'Requested');
      ctx.out.info(`An approver can grant it with: chartroom access approve ${request.id}`);
    },
  );

  withCommon(
    access
      .command('requests')
      .description('list access requests (pending and active by default)')
      .option('-c, --cluster <name>', 'only this cluster')
      .option('--all', 'include denied, expired and revoked ones'),
  ).action(async (flags: Common & { cluster?: string; all?: boolean }, command: Command) => {
    const ctx = contextFor(command, io);
    const list = await session(ctx, flags, (s) =>
      s.service.list({
        ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
        ...(flags.all === true ? {} : { states: ['pending', 'active'] }),
      }),
    );
    ctx.out.result(list, (value, out) => {
      if (value.length === 0) out.line('No access requests.');
      for (const request of value) out.line(describeRequest(request));
    });
  });

  for (const [verb, past] of [
    ['approve', 'Approved'],
    ['deny', 'Denied'],
    ['revoke', 'Revoked'],
  ] as const) {
    withCluster(
      access
        .command(verb)
        .description(
          verb === 'approve'
            ? 'grant a pending request: creates its RBAC binding and its mapping'
            : verb === 'deny'
              ? 'refuse a pending request'
              : 'end an active grant now (its requester or an approver)',
        )
        .argument('<id>', 'request id')
        .option('--note <text>', 'a note for the audit trail'),
    ).action(
      async (
        id: string,
        flags: Common & { note?: string; kubeconfig?: string; context?: string },
        command: Command,
      ) => {
        const ctx = contextFor(command, io);
        const request = await session(ctx, flags, async (s) => {
          const entry = s.cluster((await s.service.get(id)).cluster);
          const decision = {
            id,
            actor: await s.me(entry),
            policy: s.policy(entry),
            rbac: s.rbac(entry, flags),
            ...(flags.note === undefined ? {} : { note: flags.note }),
          };
          return verb === 'approve'
            ? s.service.approve(decision)
            : verb === 'deny'
              ? s.service.deny(decision)
              : s.service.revoke(decision);
        });
        show(ctx.out, request, past);
      },
    );
  }

  withCluster(
    access
      .command('expire')
      .description(
        'end every grant of a cluster whose time is up (the webhook does this on its own; this is for cron)',
      )
      .requiredOption('-c, --cluster <name>', 'cluster in the catalog'),
  ).action(
    async (flags: Common & { cluster: string; kubeconfig?: string; context?: string }, command: Command) => {
      const ctx = contextFor(command, io);
      const ended = await session(ctx, flags, (s) => {
        const entry = s.cluster(flags.cluster);
        return s.service.expire({ cluster: entry.name, rbac: s.rbac(entry, flags) });
      });
      ctx.out.result(ended, (value, out) => {
        if (value.length === 0) out.line('Nothing to expire.');
        for (const request of value) out.line(`Ended: ${describeRequest(request)}`);
      });
    },
  );

  withCommon(
    access
      .command('audit')
      .description('the audit trail of access requests')
      .argument('[id]', 'one request')
      .option('-c, --cluster <name>', 'only this cluster'),
  ).action(async (id: string | undefined, flags: Common & { cluster?: string }, command: Command) => {
    const ctx = contextFor(command, io);
    const events = await session(ctx, flags, (s) =>
      s.service.auditTrail({
        ...(id === undefined ? {} : { requestId: id }),
        ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
      }),
    );
    ctx.out.result(events, (value, out) => {
      for (const event of value)
        out.line(
          `${event.at}  ${event.requestId ?? '-'}  ${event.action}  ${event.actor}  ${JSON.stringify(event.detail)}`,
        );
    });
  });
}
