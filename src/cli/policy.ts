import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { packageInfo } from '../core/package-info.js';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { ExitRequest } from './program.js';
import { resolve } from 'node:path';

/** The rule the policy config's kubernetesVersion follows: anything else judged no API deprecated. */
function kubernetesVersion(value: string): string {
  if (!/^v?\d+\.\d+/.test(value))
    throw new UsageError(
      `--kubernetes-version must look like 1.36, not "${value}"`,
      'e.g. --kubernetes-version 1.33',
    );
  return value;
}

interface CheckFlags {
  chart?: string;
  env?: string;
  release?: string;
  namespace?: string;
  config?: string;
  format?: 'text' | 'json' | 'sarif' | 'junit';
  failOn: 'warning' | 'danger' | 'never';
  kubernetesVersion?: string;
  outputFile?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const policyGroup: CommandGroup = (program: Command, io: CliIo) => {
  const policy = program
    .command('policy')
    .description(
      "manifest checks for the talk's HPA, start-up, rollout and spot lessons (and kube-score/Polaris/kube-linter's), and a usage advisor",
    );

  policy
    .command('check')
    .description('check manifests, folders, stdin (-), a rendered chart (--chart) or kops InstanceGroups')
    .argument('[paths...]', 'files or folders of YAML/JSON, or - for stdin')
    .option('--chart <dir>', 'render this Helm chart with `helm template` and check the result')
    .option('--env <name>', 'the environment whose values the chart is rendered with (env/<name>.yaml)')
    .option('--release <name>', 'release name for rendering (default: the chart folder name)')
    .option('--namespace <ns>', 'namespace for rendering')
    .option('--config <file>', 'policy config file (default: .chartroom-policy.yaml if present)')
    .addOption(
      new Option('--format <format>', 'report format (default: text, or json with -o json)').choices([
        'text',
        'json',
        'sarif',
        'junit',
      ]),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe')
        .choices(['warning', 'danger', 'never'])
        .default('danger'),
    )
    .option(
      '--kubernetes-version <version>',
      'the cluster version deprecations are judged against (default 1.36)',
      kubernetesVersion,
    )
    .option('--output-file <file>', 'write the report to this file instead of stdout')
    .action(async (paths: string[], flags: CheckFlags, command: Command) => {
      const { out, signal, env, cwd } = contextFor(command, io);
      const { allChecks, checkPolicy, failsAt, renderReport, resolveConfig } =
        await import('../policy/index.js');
      if (paths.length === 0 && flags.chart === undefined) {
        throw new UsageError(
          'nothing to check',
          'Pass files or folders, `-` for stdin, or --chart DIR --env ENV.',
        );
      }
      if (flags.env !== undefined && flags.chart === undefined)
        throw new UsageError('--env needs --chart', 'Pass the chart folder with --chart.');
      const report = await checkPolicy({
        paths,
        cwd,
        stdin: readStdin,
        ...(flags.chart === undefined
          ? {}
          : {
              chart: {
                dir: flags.chart,
                ...(flags.env === undefined ? {} : { env: flags.env }),
                ...(flags.release === undefined ? {} : { release: flags.release }),
                ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
              },
            }),
        ...(flags.config === undefined ? {} : { configPath: flags.config }),
        ...(flags.kubernetesVersion === undefined
          ? {}
          : { config: resolveConfig({ kubernetesVersion: flags.kubernetesVersion }) }),
        processEnv: env,
        onNote: (note) => {
          out.info(note);
        },
        signal,
      });
      const format = flags.format ?? (out.json ? 'json' : 'text');
      const rendered = renderReport(report, format, {
        checks: allChecks,
        version: packageInfo().version,
        ...(format === 'text' && flags.outputFile === undefined ? { color: out.paint } : {}),
      });
      if (flags.outputFile !== undefined) {
        writeFileAtomic(resolve(cwd, flags.outputFile), rendered);
        out.info(
          `${report.summary.danger} danger, ${report.summary.warning} warning; report written to ${flags.outputFile}`,
        );
      } else {
        out.raw(rendered);
      }
      if (failsAt(report, flags.failOn)) throw new ExitRequest(ExitCode.findings);
    });

  policy
    .command('checks')
    .description('list every check with its family, severity and whether it is on by default')
    .action(async (_flags: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      const { allChecks } = await import('../policy/index.js');
      const rows = allChecks.map((c) => ({
        id: c.id,
        family: c.family,
        severity: c.severity,
        default: c.optional === true ? 'optional' : 'on',
        title: c.title,
      }));
      out.result(rows, (value, o) => {
        o.table(value, [
          { header: 'CHECK', value: (r) => r.id },
          { header: 'FAMILY', value: (r) => r.family },
          { header: 'SEVERITY', value: (r) => r.severity },
          { header: 'DEFAULT', value: (r) => r.default },
          { header: 'TITLE', value: (r) => r.title },
        ]);
      });
    });

  policy
    .command('explain')
    .description('why a check matters and how to fix what it finds')
    .argument('<check>', 'a check id (see `chartroom policy checks`)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      const { checkById, anchorMappings } = await import('../policy/index.js');
      const check = checkById(id);
      if (check === undefined)
        throw new UsageError(`unknown check "${id}"`, 'Run `chartroom policy checks` for the ids.');
      const anchors = anchorMappings
        .filter((m) => m.targets.some((t) => t.check === id))
        .map((m) => `${m.tool} ${m.anchor}`);
      out.result(
        {
          id: check.id,
          title: check.title,
          family: check.family,
          severity: check.severity,
          optional: check.optional === true,
          why: check.why,
          fix: check.fix,
          anchors,
        },
        (v, o) => {
          o.line(`${v.id}: ${v.title} (${v.family}, ${v.severity}${v.optional ? ', optional' : ''})`);
          o.line('');
          o.line(`Why: ${v.why}`);
          o.line('');
          o.line(`Fix: ${v.fix}`);
          if (v.anchors.length > 0) o.line(`\nSame as: ${v.anchors.join(', ')}`);
        },
      );
    });

  policy
    .command('advise')
    .description(
      'find offender pods (start-up CPU vs request) and flapping HPAs in Prometheus, and propose values as a patch',
    )
    .requiredOption(
      '--prometheus <url>',
      'Prometheus base URL (with kube-state-metrics and cAdvisor metrics)',
    )
    .option('--namespace <ns>', 'only this namespace')
    .option('--window <duration>', 'how far back to look', '6h')
    .option('--startup <seconds>', 'seconds after a container start that count as start-up', '300')
    .option('--peak-ratio <ratio>', 'start-up peak / request that makes an offender', '2')
    .option(
      '--manifests <path>',
      "the workloads' manifests, so proposed startupProbes reuse their readiness handlers",
    )
    .option('--patch-file <file>', 'write the proposed patch (multi-document YAML) to this file')
    .action(
      async (
        flags: {
          prometheus: string;
          namespace?: string;
          window: string;
          startup: string;
          peakRatio: string;
          manifests?: string;
          patchFile?: string;
        },
        command: Command,
      ) => {
        const { out, signal, cwd } = contextFor(command, io);
        const { advise, readSources } = await import('../policy/index.js');
        const startupSeconds = Number(flags.startup);
        const peakRatio = Number(flags.peakRatio);
        if (!(startupSeconds > 0))
          throw new UsageError(`--startup must be a number of seconds, not "${flags.startup}"`);
        if (!(peakRatio > 0))
          throw new UsageError(`--peak-ratio must be a positive number, not "${flags.peakRatio}"`);
        const manifests =
          flags.manifests === undefined ? [] : await readSources({ paths: [flags.manifests], cwd, signal });
        const report = await advise({
          prometheus: flags.prometheus,
          window: flags.window,
          startupSeconds,
          peakRatio,
          manifests,
          signal,
          ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
        });
        if (flags.patchFile !== undefined && report.patches.length > 0)
          writeFileAtomic(resolve(cwd, flags.patchFile), report.patch);
        out.result(report, (r, o) => {
          if (r.offenders.length === 0 && r.flapping.length === 0) {
            o.line(`no offender pods and no flapping HPAs in the last ${r.window}`);
            return;
          }
          for (const x of r.offenders) {
            o.line(
              `offender ${x.owner.kind} ${x.owner.namespace}/${x.owner.name} container ${x.container}: peak ${x.peakCores.toFixed(2)} cores at start vs request ${x.requestCores} (${x.peakRatio.toFixed(1)}x), warm-up ~${x.warmupSeconds}s, ${x.starts.length} start(s)`,
            );
          }
          for (const f of r.flapping) {
            o.line(
              `flapping HPA ${f.namespace}/${f.hpa}: ${f.reversals} reversals (${f.reversalsPerHour}/h) between ${f.lowest} and ${f.highest} replicas`,
            );
          }
          if (flags.patchFile !== undefined) o.line(`\nproposed patch written to ${flags.patchFile}`);
          else o.line(`\n# proposed patch (kubectl patch --type strategic --patch-file …)\n${r.patch}`);
        });
      },
    );
};
