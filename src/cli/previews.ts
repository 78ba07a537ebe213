/**
 * `chartroom previews`: look at and manage previews from the command line. `list` and `delete`
 * work on the cluster directly (preview namespaces are the truth; a deletion is a teardown wish
 * the server's controller carries out), `names` shows what a branch would be called, and
 * `hook install` puts the post-receive hook into a self-hosted bare repository. The capability is
 * imported inside each action.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';

interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  app?: string;
}

const since = (iso: string | undefined): string => {
  if (iso === undefined) return '';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
};

export const registerPreviews: CommandGroup = (program: Command, io: CliIo) => {
  const previews = program
    .command('previews')
    .description('a namespace, release and URL per git branch: list, delete, names, git hook');

  previews
    .command('list')
    .description('the previews in the cluster (read from their namespaces)')
    .option('--app <name>', 'only this app’s previews')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--ttl <duration>', 'the server’s inactivity TTL, to show expiry', '7d')
    .action(async (flags: ClusterFlags & { ttl: string }, command: Command) => {
      const { out } = contextFor(command, io);
      const { listClusterPreviews, parseDuration } = await import('../previews/index.js');
      const ttlMs = parseDuration(flags.ttl);
      if (ttlMs === undefined)
        throw new UsageError(`--ttl ${flags.ttl} is not a duration`, 'Use e.g. 7d, 36h or 0 (never).');
      const listing = await listClusterPreviews({ ...flags, ttlMs });
      out.result(listing, (rows) => {
        if (rows.length === 0) {
          out.line('no previews');
          return;
        }
        out.table(rows, [
          { header: 'BRANCH', value: (row) => row.branch },
          { header: 'APP', value: (row) => row.app },
          { header: 'STATUS', value: (row) => row.phase },
          { header: 'COMMIT', value: (row) => (row.deployedCommit ?? row.desiredCommit ?? '').slice(0, 7) },
          { header: 'URL', value: (row) => row.url },
          { header: 'NAMESPACE', value: (row) => row.namespace },
          { header: 'LAST PUSH', value: (row) => since(row.lastPushAt) },
          {
            header: 'EXPIRES',
            value: (row) =>
              row.expiresAt === undefined ? 'never' : row.expiresAt.slice(0, 16).replace('T', ' '),
          },
        ]);
      });
    });

  previews
    .command('delete')
    .description('tear a branch’s preview down (the server’s controller removes release and namespace)')
    .argument('<branch>', 'the branch whose preview goes')
    .option('--app <name>', 'the app, when several have a preview of that branch')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .action(async (branch: string, flags: ClusterFlags, command: Command) => {
      const { out } = contextFor(command, io);
      const { requestPreviewDeletion } = await import('../previews/index.js');
      const state = await requestPreviewDeletion({ ...flags, branch });
      out.result({ branch, namespace: state.namespace, app: state.app, teardown: 'requested' }, (value) => {
        out.line(
          `teardown of ${value.branch}'s preview (${value.namespace}) requested; the Chartroom server removes it`,
        );
      });
    });

  previews
    .command('names')
    .description('the namespace, host and release a branch gets')
    .argument('<branch>', 'a git branch name')
    .requiredOption('--app <name>', 'the app’s name')
    .requiredOption('--domain <domain>', 'the preview domain, e.g. threduptest.com')
    .option('--namespace <template>', 'namespace template', '{app}-{label}')
    .option('--host <template>', 'host template', '{label}.{domain}')
    .option('--release <template>', 'release template (default: the app name)')
    .action(
      async (
        branch: string,
        flags: { app: string; domain: string; namespace: string; host: string; release?: string },
        command: Command,
      ) => {
        const { out } = contextFor(command, io);
        const { checkTemplates, previewNames } = await import('../previews/index.js');
        const templates = {
          app: flags.app,
          domain: flags.domain,
          namespace: flags.namespace,
          host: flags.host,
          release: flags.release ?? flags.app,
        };
        // The server refuses such templates when it loads its config; say so here too.
        const problem = checkTemplates(templates);
        if (problem !== undefined)
          throw new UsageError(
            problem,
            'Templates use {app}, {label} and {domain}; see docs/previews.md#names.',
          );
        const names = previewNames(branch, templates);
        out.result({ branch, ...names }, (value) => {
          out.line(
            `label      ${value.label}${value.verbatim ? ' (the branch itself)' : ' (slug + hash of the branch)'}`,
          );
          out.line(`namespace  ${value.namespace}`);
          out.line(`host       ${value.host}`);
          out.line(`release    ${value.release}`);
        });
      },
    );

  const hook = previews.command('hook').description('the post-receive hook for self-hosted git');
  hook
    .command('install')
    .description('install the hook into a bare repository: pushes then notify the server')
    .requiredOption('--repo <dir>', 'the bare repository people push to')
    .requiredOption(
      '--url <url>',
      'the server’s endpoint, e.g. https://chartroom.example.com/previews/webhooks/post-receive',
    )
    .requiredOption(
      '--secret-file <file>',
      'file with the shared secret (previews.webhooks.postReceive; mode 600)',
    )
    .requiredOption('--name <repo>', 'the repository’s name for the server (previews.apps[].repo)')
    .action(
      async (flags: { repo: string; url: string; secretFile: string; name: string }, command: Command) => {
        const { out } = contextFor(command, io);
        const { installPostReceiveHook } = await import('../previews/index.js');
        const path = installPostReceiveHook(flags);
        out.result({ hook: path }, (value) => {
          out.line(`installed ${value.hook}`);
        });
      },
    );
};
