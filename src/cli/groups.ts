import type { Command } from 'commander';
import type { CliIo } from './context.js';
import { registerCluster } from './cluster.js';
import { accessGroup } from './access.js';
import { policyGroup } from './policy.js';

/** A command group adds its subcommands to the program. One file per group in src/cli/. */
export type CommandGroup = (program: Command, io: CliIo) => void;

/**
 * The registered groups. A group is listed here only once it does something real: `--help` must
 * never advertise a command that pretends.
 */
export const commandGroups: readonly CommandGroup[] = [registerCluster, accessGroup, policyGroup];
