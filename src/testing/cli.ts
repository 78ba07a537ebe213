/**
 * Runs the CLI in this process with in-memory stdout/stderr, for tests of what users see; much
 * faster than spawning `chartroom` and it still goes through the same parsing and error handling.
 */
import { runCli } from '../cli/program.js';
import { MemoryStream } from './memory-stream.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The whole environment the command sees (empty by default, so a developer's own never leaks in). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Pass one to read stderr while the command still runs (a server, say). */
  stderr?: MemoryStream;
}

export async function runCliInMemory(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const stdout = new MemoryStream();
  const stderr = options.stderr ?? new MemoryStream();
  const code = await runCli(args, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
