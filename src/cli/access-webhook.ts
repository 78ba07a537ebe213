/** `chartroom access webhook`: the TokenReview webhook on its own, until `chartroom serve` mounts it. */
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { contextFor, type CliIo } from './context.js';
import { untilAborted } from '../core/abort.js';
import { readCaBundle } from '../core/tls.js';

interface WebhookFlags {
  clusterId: string;
  mapping?: string;
  partition: string;
  region?: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  stateDir?: string;
  clientCa?: string;
  callerTokenFile?: string;
  writeKubeconfig?: string;
  grants?: string;
  database?: string;
  kubeconfig?: string;
  context?: string;
}

export function registerAccessWebhook(access: Command, io: CliIo): void {
  access
    .command('webhook')
    .description('run the TokenReview webhook (kube-apiserver --authentication-token-webhook-config-file)')
    .requiredOption('-i, --cluster-id <id>', "this cluster's id: tokens must be signed for it")
    .option(
      '--mapping <file>',
      'aws-auth ConfigMap or mapRoles/mapUsers/mapAccounts file (watched for edits)',
    )
    .option('--partition <partition>', 'AWS partition of the STS endpoints to accept', 'aws')
    .option('--region <region>', "this cluster's region (its regional STS host is always accepted)")
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:21362')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option(
      '--state-dir <dir>',
      'where a self-signed certificate is made and kept when --tls-cert is not given',
    )
    .option('--client-ca <file>', 'require TLS client certificates from callers, signed by this CA')
    .option('--caller-token-file <file>', 'require callers to send this bearer token')
    .option(
      '--write-kubeconfig <file>',
      "write the kube-apiserver's webhook kubeconfig (URL, CA, caller token)",
    )
    .option(
      '--grants <cluster>',
      "also map Chartroom's access grants of this catalog cluster, and expire them on time",
    )
    .option(
      '--database <url>',
      'where grants are kept (default $CHARTROOM_DATABASE_URL, else the local SQLite)',
    )
    .option('--kubeconfig <file>', 'kubeconfig used to remove expired grant bindings')
    .option('--context <name>', 'its context')
    .action(async (flags: WebhookFlags, command: Command) => {
      const ctx = contextFor(command, io);
      const { readFile } = await import('node:fs/promises');
      const { webhookModule, requestsModule, tokenCacheDir } = await import('../access/index.js');
      const webhook = await webhookModule();
      const match = /^(.*):(\d+)$/.exec(flags.listen);
      if (match === null)
        throw new UsageError(`invalid --listen ${flags.listen}`, 'Use host:port, e.g. 127.0.0.1:21362.');
      const [, host = '127.0.0.1', port = '21362'] = match;
      let tls: { cert: string; key: string; clientCa?: string };
      if (flags.tlsCert !== undefined || flags.tlsKey !== undefined) {
        if (flags.tlsCert === undefined || flags.tlsKey === undefined)
          throw new UsageError(
            '--tls-cert and --tls-key go together',
            'Pass both, or neither for a self-signed certificate.',
          );
        tls = { cert: await readFile(flags.tlsCert, 'utf8'), key: await readFile(flags.tlsKey, 'utf8') };
      } else {
        const dir = flags.stateDir ?? join(dirname(tokenCacheDir(ctx.env)), 'webhook');
        tls = await webhook.selfSignedCertificate({
          dir,
          hosts: [host === '0.0.0.0' ? '127.0.0.1' : host, 'localhost'],
        });
      }
      if (flags.clientCa !== undefined) tls.clientCa = readCaBundle(flags.clientCa);
      const callerToken =
        flags.callerTokenFile === undefined
          ? undefined
          : (await readFile(flags.callerTokenFile, 'utf8')).trim();

      let grants;
      let closeStore: (() => Promise<void>) | undefined;
      if (flags.grants !== undefined) {
        const { openStore } = await import('../store/index.js');
        const requestsApi = await requestsModule();
        const store = await openStore({
          ...(flags.database === undefined ? {} : { url: flags.database }),
          env: ctx.env,
        });
        closeStore = () => store.close();
        const service = await requestsApi.AccessRequests.open({ store });
        grants = service.grantLookup(flags.grants);
        void requestsApi.runExpiryLoop({
          requests: service,
          cluster: flags.grants,
          rbac: requestsApi.kubeRbacClient({
            ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
            ...(flags.context === undefined ? {} : { context: flags.context }),
          }),
          signal: ctx.signal,
          onExpired: (request) => {
            ctx.out.event(
              { event: 'grant-ended', id: request.id, state: request.state, binding: request.bindingState },
              (out) => {
                out.info(`grant ${request.id} ${request.state}; binding ${request.bindingState}`);
              },
            );
          },
          onError: (error) => {
            ctx.out.warn(`expiry: ${error instanceof Error ? error.message : String(error)}`);
          },
        });
      }
      const server = await webhook.startWebhookServer({
        clusterId: flags.clusterId,
        partition: flags.partition,
        ...(flags.region === undefined ? {} : { region: flags.region }),
        ...(flags.mapping === undefined ? {} : { mappingFile: flags.mapping }),
        ...(grants === undefined ? {} : { grants }),
        tls,
        ...(callerToken === undefined ? {} : { callerToken }),
        host,
        port: Number(port),
        signal: ctx.signal,
        onDecision: (decision) => {
          ctx.out.event({ event: 'token-review', ...decision }, (out) => {
            out.info(
              `${decision.at} ${decision.authenticated ? 'allow' : 'deny'} ${decision.arn ?? '-'} ${decision.username ?? decision.reason ?? ''}`,
            );
          });
        },
        onMappingLoaded: (config) => {
          for (const warning of config.warnings) ctx.out.warn(warning);
          ctx.out.info(
            `mapping ${config.source}: ${config.roles.length} role(s), ${config.users.length} user(s), ${config.accounts.length} account(s)`,
          );
        },
        onMappingError: (error) => {
          ctx.out.warn(
            `${error instanceof Error ? error.message : String(error)} (the previous mapping stays in force)`,
          );
        },
      });
      // Closed on every way out: a failed --write-kubeconfig left the server listening, so the
      // process printed its error and never exited.
      try {
        if (flags.writeKubeconfig !== undefined) {
          const text = webhook.webhookKubeconfigYaml({
            url: server.url,
            caPem: tls.cert,
            ...(callerToken === undefined ? {} : { callerToken }),
          });
          writeFileAtomic(flags.writeKubeconfig, text, { mode: 0o600 });
        }
        ctx.out.info(`TokenReview webhook for cluster ${flags.clusterId} on ${server.url}`);
        await untilAborted(ctx.signal);
      } finally {
        await server.close();
        await closeStore?.();
      }
    });
}
