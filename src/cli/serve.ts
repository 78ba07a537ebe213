import type { Command } from 'commander';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { untilAborted } from '../core/abort.js';

interface ServeOptions {
  config?: string;
  listen?: string;
  database?: string;
  dataDir?: string;
  kubeconfig?: string;
}

export const registerServe: CommandGroup = (program: Command, io: CliIo) => {
  program
    .command('serve')
    .description('run the server: webhooks, controllers and the dashboard')
    .option('--config <file>', 'chartroom-server.yaml')
    .option('--listen <host:port>', 'address to listen on (overrides the config)')
    .option('--database <url>', 'postgres://… (default: SQLite in the data folder)')
    .option('--data-dir <dir>', 'folder for the SQLite database and other state')
    .option('--kubeconfig <file>', 'the cluster the server manages')
    .action(async (options: ServeOptions, command: Command) => {
      const { out, signal } = contextFor(command, io);
      const { buildServer, loadServerConfig, loadServerPlugins } = await import('../server/index.js');
      const config = loadServerConfig(options.config, {
        listen: options.listen,
        database: options.database,
        dataDir: options.dataDir,
        kubeconfig: options.kubeconfig,
      });
      const server = await buildServer({ config, plugins: await loadServerPlugins() });
      const address = await server.listen();
      out.info(`chartroom server listening on ${address} (dashboard: ${server.context.publicUrl}/)`);
      // SIGTERM/SIGINT abort the CLI's signal: stop taking requests, finish the ones in flight.
      await untilAborted(signal);
      await server.close();
      out.info('chartroom server stopped');
    });
};
