import type { Command } from 'commander';
import { Output, type OutputMode, type TerminalStream } from '../core/output/index.js';

/** What every command action receives: where to write, when to stop, and the environment. */
export interface CliContext {
  out: Output;
  /** Aborted on SIGINT/SIGTERM; long-running work passes it down and cleans up. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

interface GlobalOptions {
  output?: OutputMode;
  debug?: boolean;
  color?: boolean;
}

/** Builds the context from the global options, wherever on the command line they were given. */
export function contextFor(command: Command, io: CliIo): CliContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const out = new Output({
    mode: globals.output ?? 'text',
    debug: globals.debug === true || io.env.CHARTROOM_DEBUG === '1',
    noColor: globals.color === false,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
  });
  return { out, signal: io.signal, env: io.env, cwd: io.cwd };
}
