/**
 * Runs a CLI entry as this process: wires process streams and signals to it and sets the exit
 * code. Shared by the full CLI (main.ts) and the launcher's group bundles (bundle-secrets.ts), so
 * both stop, clean up and exit the same way.
 */
import type { CliIo } from './context.js';

export async function runAsProcess(
  run: (args: readonly string[], io: CliIo) => Promise<number>,
  args: readonly string[] = process.argv.slice(2),
): Promise<void> {
  // The AWS SDK warns once per process, in nine lines on stderr, that its releases after
  // January 2027 need Node 22. Chartroom pins the SDK and supports Node 20, so for its users the
  // warning is noise on every KMS decrypt, node audit and (shown by kubectl) every token call.
  // An explicit setting by the user wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A reader that went away (`chartroom … | head`) is no error of ours: stop at once, quietly, with
  // 141 (128 + SIGPIPE) as sops and other Go tools do, instead of an unhandled 'error' event.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(141);
      throw error;
    });
  }
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
  process.exitCode = await run(args, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
}
