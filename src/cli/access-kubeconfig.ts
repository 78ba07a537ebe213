/** `chartroom access kubeconfig` and `chartroom access mapping check`. */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { contextFor, type CliIo } from './context.js';

interface KubeconfigFlags {
  cluster: string;
  role?: string;
  allRoles?: boolean;
  catalog?: string;
  kubeconfig?: string;
  fromEks?: boolean;
  region?: string;
  profile?: string;
  execCommand?: string;
  setCurrent: boolean;
  dryRun?: boolean;
}

export function registerAccessKubeconfig(access: Command, io: CliIo): void {
  access
    .command('kubeconfig')
    .description('add a cluster (one context per IAM role) to a kubeconfig, leaving every other entry alone')
    .requiredOption(
      '-c, --cluster <name>',
      'cluster name in the clusters catalog (or the EKS cluster with --from-eks)',
    )
    .option('-r, --role <name>', 'a role of the cluster in the catalog (its name, or an IAM role ARN)')
    .option('--all-roles', 'add one context per role the catalog lists, plus the role-less one')
    .option(
      '--catalog <file>',
      'clusters catalog (default $CHARTROOM_CLUSTERS or ~/.config/chartroom/clusters.yaml)',
    )
    .option(
      '--kubeconfig <file>',
      'the kubeconfig to write (default: first KUBECONFIG entry, else ~/.kube/config)',
    )
    .option('--from-eks', 'look the cluster up with EKS DescribeCluster instead of the catalog')
    .option('--region <region>', 'region of the EKS cluster (with --from-eks)')
    .option('--profile <profile>', 'pin this AWS profile in the exec stanza')
    .option('--exec-command <path>', 'the plugin command to write (default chartroom)')
    .option('--no-set-current', 'do not make the new context the current one')
    .option('--dry-run', 'print the resulting kubeconfig instead of writing it')
    .action(async (flags: KubeconfigFlags, command: Command) => {
      const ctx = contextFor(command, io);
      const { catalogModule, kubeconfigModule } = await import('../access/index.js');
      const kube = await kubeconfigModule();
      const targets = [];
      if (flags.fromEks === true) {
        const region = flags.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
        if (region === undefined)
          throw new UsageError('--from-eks needs a region', 'Pass --region or set AWS_REGION.');
        const target = await kube.describeEksCluster({ name: flags.cluster, region, env: ctx.env });
        targets.push(
          flags.role?.startsWith('arn:') === true
            ? { ...target, role: { name: roleNameOf(flags.role), arn: flags.role } }
            : target,
        );
      } else {
        const catalog = await catalogModule();
        const cluster = catalog.findCluster(
          await catalog.loadCatalog({
            ...(flags.catalog === undefined ? {} : { path: flags.catalog }),
            env: ctx.env,
          }),
          flags.cluster,
        );
        const base = { ...cluster, cluster: cluster.name };
        if (flags.allRoles === true) {
          targets.push(base, ...cluster.roles.map((role) => ({ ...base, role })));
        } else if (flags.role !== undefined) {
          const role =
            cluster.roles.find((r) => r.name === flags.role || r.arn === flags.role) ??
            (flags.role.startsWith('arn:') ? { name: roleNameOf(flags.role), arn: flags.role } : undefined);
          if (role === undefined) {
            throw new UsageError(
              `cluster ${cluster.name} has no role ${flags.role}`,
              `Known roles: ${cluster.roles.map((r) => r.name).join(', ') || 'none'}; or pass an IAM role ARN.`,
            );
          }
          targets.push({ ...base, role });
        } else {
          targets.push(base);
        }
      }
      const exec = {
        ...(flags.execCommand === undefined ? {} : { command: flags.execCommand }),
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
      };
      const result = await kube.mergeIntoKubeconfig({
        path: flags.kubeconfig ?? kube.defaultKubeconfigPath(ctx.env),
        entries: targets.map((target) => kube.kubeconfigEntries(target, exec)),
        setCurrentContext: flags.setCurrent,
        write: flags.dryRun !== true,
      });
      if (flags.dryRun === true) {
        ctx.out.raw(result.text);
        return;
      }
      ctx.out.result(
        {
          kubeconfig: result.path,
          added: result.added,
          replaced: result.replaced,
          contexts: targets.map((t) => kube.kubeconfigEntries(t, exec).contextName),
        },
        (value, out) => {
          out.line(
            `Updated ${value.kubeconfig}: ${[...value.added.map((a) => `added ${a}`), ...value.replaced.map((r) => `replaced ${r}`)].join(', ')}`,
          );
          out.line(
            `Contexts: ${value.contexts.join(', ')}${flags.setCurrent ? ` (current: ${value.contexts.at(-1) ?? ''})` : ''}`,
          );
        },
      );
    });

  access
    .command('mapping')
    .description('identity mappings (aws-auth format)')
    .command('check')
    .description('validate an aws-auth ConfigMap or mapping file before it is applied')
    .argument('<file>', 'the file to check')
    .action(async (file: string, _flags: unknown, command: Command) => {
      const ctx = contextFor(command, io);
      const { readFile } = await import('node:fs/promises');
      const { mappingModule } = await import('../access/index.js');
      const { parseMapping } = await mappingModule();
      const config = parseMapping(await readFile(file, 'utf8'), file);
      for (const warning of config.warnings) ctx.out.warn(warning);
      ctx.out.result(
        {
          file,
          roles: config.roles.length,
          users: config.users.length,
          accounts: config.accounts.length,
          warnings: config.warnings,
        },
        (value, out) => {
          out.line(
            `${value.file}: ok — ${value.roles} role(s), ${value.users} user(s), ${value.accounts} account(s)`,
          );
        },
      );
    });
}

function roleNameOf(arn: string): string {
  return (arn.split('/').at(-1) ?? 'role').toLowerCase().replace(/[^a-z0-9-]/g, '-');
}
