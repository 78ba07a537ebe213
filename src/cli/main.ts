/**
 * The `chartroom` executable: wires process streams and signals to runCli and sets the exit code.
 */
import { runCli } from './program.js';

const controller = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals += 1;
    // The first signal asks running work to clean up (restore swaps, stop Helm, remove temp
    // files); a second one means the user really wants out now.
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${signal}`));
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
