/** Runs the CLI in-process for tests of what users see. */
import { runCli } from '../../cli/program.js';
import { MemoryStream } from '../../testing/memory-stream.js';

export async function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const code = await runCli(args, {
    stdout,
    stderr,
    env,
    cwd: process.cwd(),
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
