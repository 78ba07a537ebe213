import { Command, CommanderError, Option } from 'commander';
import { ChartroomError, ExitCode, UsageError, toChartroomError } from '../core/errors.js';
import { Output } from '../core/output/index.js';
import { packageInfo } from '../core/package-info.js';
import { loadCommandGroups, type CommandGroup } from './groups.js';
import type { CliIo } from './context.js';

/** Builds the whole command tree. Each group registers itself from its own file. */
export function createProgram(io: CliIo, commandGroups: readonly CommandGroup[]): Command {
  const program = new Command('chartroom')
    .description(
      'A platform toolkit for Kubernetes teams: access, secrets, deploys, previews, dev, policy, nodes, scan, runtime.',
    )
    .version(packageInfo().version, '-V, --version', 'print the version')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--debug', 'show stack traces and debug detail on errors')
    .option('--no-color', 'never use colours')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander's own error text is replaced by ours (error: … / hint: …) in runCli.
      writeErr: (text) => {
        if (!text.startsWith('error:')) io.stderr.write(text);
      },
    });
  for (const register of commandGroups) register(program, io);
  // Every subcommand inherits the override, so parse errors anywhere become UsageErrors.
  program.exitOverride();
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

/** Maps commander's parse failures to our error model (exit 2 with a hint). */
function fromCommander(error: CommanderError, program: Command): ChartroomError | undefined {
  switch (error.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
    case 'commander.help':
    case 'commander.executeSubCommandAsync':
      return undefined;
    case 'commander.unknownCommand':
      return new UsageError(
        error.message.replace(/^error: /, ''),
        'Run `chartroom --help` to see the commands.',
      );
    case 'commander.unknownOption':
    case 'commander.missingArgument':
    case 'commander.optionMissingArgument':
    case 'commander.missingMandatoryOptionValue':
    case 'commander.invalidArgument':
    case 'commander.excessArguments':
    case 'commander.conflictingOption':
      return new UsageError(
        error.message.replace(/^error: /, ''),
        `Run \`${commandPath(program)} --help\` for the options.`,
      );
    default:
      return new UsageError(error.message.replace(/^error: /, ''), 'Run `chartroom --help`.');
  }
}

function commandPath(program: Command): string {
  const lastCommand = (program as Command & { _lastCommandRun?: Command })._lastCommandRun;
  const names: string[] = [];
  for (let c: Command | null = lastCommand ?? program; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export interface RunCliOptions {
  /** These groups instead of the discovered ones (a group bundle has only its own). */
  groups?: readonly CommandGroup[];
}

/**
 * Runs the CLI with the given arguments (without `node` and the script) and returns the exit code.
 * Every failure ends here: printed as `error:`/`hint:` (or JSON), never as a raw stack trace.
 */
export async function runCli(
  args: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  const program = createProgram(io, options.groups ?? (await loadCommandGroups(args)));
  // Remember the deepest command reached, for hints: the one about to run, and before that each
  // subcommand as it is dispatched to, so errors of option parsing (a value an option's parser
  // refused, a required option missing) point at that command's help too.
  const remember = (_this: Command, command: Command): void => {
    (program as Command & { _lastCommandRun?: Command })._lastCommandRun = command;
  };
  program.hook('preAction', remember);
  for (const command of [program, ...allCommands(program)]) command.hook('preSubcommand', remember);
  if (args.length === 0) {
    program.outputHelp();
    return ExitCode.ok;
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ExitCode.ok;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      const mapped = fromCommander(thrown, program);
      if (mapped === undefined) return thrown.exitCode;
      outputFor(args, io).error(mapped);
      return mapped.exitCode;
    }
    if (thrown instanceof ExitRequest) return thrown.exitCode;
    const error =
      io.signal.aborted && !(thrown instanceof ChartroomError)
        ? interrupted(thrown)
        : withUsageHint(toChartroomError(thrown), program);
    outputFor(args, io).error(error);
    return error.exitCode;
  }
}

/**
 * Thrown by a command that has already reported its outcome and only needs a non-zero exit code
 * (policy findings, a scan over its threshold).
 */
export class ExitRequest extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** A command's own usage error without a hint points at that command's help, as commander's do. */
function withUsageHint(error: ChartroomError, program: Command): ChartroomError {
  if (!(error instanceof UsageError) || error.hint !== undefined) return error;
  return new UsageError(
    error.message,
    `Run \`${commandPath(program)} --help\` for the options.`,
    error.cause,
  );
}

function interrupted(cause: unknown): ChartroomError {
  return new ChartroomError('interrupted', {
    code: 'interrupted',
    exitCode: ExitCode.interrupted,
    hint: 'The command was stopped by a signal; run it again to finish.',
    cause,
  });
}

/** The error output honours --output/--debug/--no-color even when parsing failed half way. */
function outputFor(args: readonly string[], io: CliIo): Output {
  const outputIndex = args.findIndex((arg) => arg === '-o' || arg === '--output');
  const inline = args.find((arg) => arg.startsWith('--output='))?.slice('--output='.length);
  const mode = inline ?? (outputIndex >= 0 ? args[outputIndex + 1] : undefined);
  return new Output({
    mode: mode === 'json' ? 'json' : 'text',
    debug: args.includes('--debug') || io.env.CHARTROOM_DEBUG === '1',
    noColor: args.includes('--no-color'),
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
  });
}
