import type { Command } from 'commander';
import type { CliIo } from './context.js';
import { registerCluster } from './cluster.js';
import { registerServe } from './serve.js';
import { accessGroup } from './access.js';
import { policyGroup } from './policy.js';
import { nodesGroup } from './nodes.js';
import { registerSecrets } from './secrets.js';
import { scanGroup } from './scan.js';

/** A command group adds its subcommands to the program. One file per group in src/cli/. */
export type CommandGroup = (program: Command, io: CliIo) => void;

/**
 * The registered groups. A group is listed here only once it does something real: `--help` must
 * never advertise a command that pretends.
 */
export const commandGroups: readonly CommandGroup[] = [registerCluster, registerServe, accessGroup, registerSecrets, policyGroup, nodesGroup, scanGroup];
