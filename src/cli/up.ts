/**
 * `chartroom up`: the local cluster, the server and a git remote with the example app, so that
 * `git push` of a branch gives a preview. Runs until Ctrl-C; the cluster keeps running after it.
 * The capability is imported inside the action (start-up of other commands stays light).
 */
import type { Command } from 'commander';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { untilAborted } from '../core/abort.js';

interface UpFlags {
  kubeconfig?: string;
  name: string;
  listen: string;
  dir?: string;
  app?: string;
  logs?: boolean;
}

export const registerUp: CommandGroup = (program: Command, io: CliIo) => {
  program
    .command('up')
    .description(
      'run previews locally: a cluster, the server and a git remote — push a branch, get a preview',
    )
    .option('--kubeconfig <file>', 'use this cluster instead of starting the embedded one')
    .option('--name <name>', 'the embedded cluster’s name', 'chartroom')
    .option('--listen <host:port>', 'address of the server and the dashboard', '127.0.0.1:8080')
    .option(
      '--dir <dir>',
      'where the git repository, the config and the state go (default ~/.local/share/chartroom/up)',
    )
    .option('--app <dir>', 'the app to put in the repository (default: the example app)')
    .option('--logs', 'print the server’s JSON logs on stdout')
    .action(async (flags: UpFlags, command: Command) => {
      const { out, signal, env } = contextFor(command, io);
      const { up } = await import('../previews/index.js');
      const progress = out.progress().start('starting Chartroom');
      let handle;
      try {
        handle = await up({
          ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
          clusterName: flags.name,
          listen: flags.listen,
          ...(flags.dir === undefined ? {} : { dir: flags.dir }),
          ...(flags.app === undefined ? {} : { app: flags.app }),
          env,
          signal,
          logStream: flags.logs === true ? process.stdout : false,
          onProgress: (text) => {
            progress.update({ text });
          },
        });
        progress.succeed('Chartroom is up');
      } catch (error) {
        progress.fail('Chartroom did not start');
        throw error;
      }
      const result = {
        dashboard: handle.dashboard,
        remote: handle.remote,
        kubeconfig: handle.kubeconfig,
        cluster: handle.clusterName ?? null,
        config: handle.configFile,
        example: handle.previewUrl('devopsstage'),
      };
      out.result(result, (value) => {
        out.line('');
        out.line(`  dashboard   ${value.dashboard}`);
        out.line(`  git remote  ${value.remote}`);
        out.line(
          `  cluster     ${value.cluster ?? 'from --kubeconfig'} (export KUBECONFIG=${value.kubeconfig})`,
        );
        out.line('');
        out.line('Push a branch and watch its preview appear:');
        out.line('');
        out.line(`  git clone ${value.remote} webapp && cd webapp`);
        out.line('  git checkout -b devopsstage');
        out.line('  git commit --allow-empty -m "try a preview"');
        out.line('  git push -u origin devopsstage');
        out.line('');
        out.line(`  → ${value.example}   (listed on the dashboard, ready in seconds)`);
        out.line('  git push origin --delete devopsstage   removes it again');
        out.line('');
        out.line('Ctrl-C stops the server; the cluster keeps running (chartroom cluster down stops it).');
      });
      await untilAborted(signal);
      await handle.close();
      out.info('chartroom up: server stopped');
    });
};
