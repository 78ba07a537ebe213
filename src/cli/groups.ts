import { readdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliIo } from './context.js';

/** A command group adds its subcommands to the program. One file per group in src/cli/. */
export type CommandGroup = (program: Command, io: CliIo) => void;

/** Files of src/cli that are the CLI's machinery, not command groups. */
const machinery = new Set(['main', 'program', 'context', 'groups']);

/** The order of groups in `--help`; groups not named here come after, alphabetically. */
const helpOrder = [
  'cluster',
  'serve',
  'up',
  'deploy',
  'previews',
  'secrets',
  'access',
  'dev',
  'policy',
  'nodes',
  'scan',
  'runtime',
];

/**
 * Finds the command groups: every module `src/cli/<group>.ts` (no dash in the name) besides the
 * machinery, registering each exported function named `<name>Group` or `register<Name>`. Discovery instead of a hand-kept list
 * means a capability adds its group by adding its file, and no shared file has to change. Group
 * modules keep their top-level imports light (capabilities are imported inside actions), so
 * loading them all costs little.
 */
export async function loadCommandGroups(args: readonly string[] = []): Promise<CommandGroup[]> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const extension = extname(fileURLToPath(import.meta.url));
  const names = readdirSync(dir)
    .filter(
      (file) => extname(file) === extension && !file.endsWith(`.test${extension}`) && !file.endsWith('.d.ts'),
    )
    .map((file) => file.slice(0, -extension.length))
    // `secrets-io.ts`, `access-webhook.ts`: a dash marks a group's helper module, not a group.
    .filter((name) => !machinery.has(name) && !name.includes('-'));
  const rank = (name: string): number => {
    const index = helpOrder.indexOf(name);
    return index === -1 ? helpOrder.length : index;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  // Fast path: `chartroom access token` runs on every kubectl call, so when the command line names
  // a group whose file exists, only that file is loaded. Help and unknown commands load them all.
  const wanted = firstCommand(args);
  const selected = wanted !== undefined && names.includes(wanted) ? [wanted] : names;
  const modules = await Promise.all(
    selected.map(
      async (name) =>
        (await import(new URL(`./${name}${extension}`, import.meta.url).href)) as Record<string, unknown>,
    ),
  );
  return modules.flatMap((module) =>
    Object.entries(module)
      .filter(
        ([key, value]) => typeof value === 'function' && (/Group$/.test(key) || /^register[A-Z]/.test(key)),
      )
      .map(([, value]) => value as CommandGroup),
  );
}

/** Global options that take a value; the first other non-option argument is the command. */
const optionsWithValue = new Set(['-o', '--output']);

function firstCommand(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (optionsWithValue.has(arg)) {
      index += 1;
      continue;
    }
    if (arg === '-h' || arg === '--help' || arg === 'help') return undefined;
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}
