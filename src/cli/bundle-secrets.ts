/**
 * `chartroom secrets …` on its own: the program with only the secrets group. The build bundles it
 * with esbuild into dist/cli-secrets.cjs (src/cli, src/secrets and src/core in one CommonJS file;
 * packages stay outside, the key sources' libraries loaded only when a file needs them), and
 * bin/chartroom.js runs that bundle for `secrets` commands. sops and helm-secrets users call it
 * once per file, git's textconv once per diffed file: Node 20's ESM loader, resolving ~60
 * modules one by one, cost more than the decryption. Same program, same errors and exit codes.
 */
import { runCli } from './program.js';
import { runAsProcess } from './process-run.js';
import { registerSecrets } from './secrets.js';

export function main(args: readonly string[]): Promise<void> {
  return runAsProcess((argv, io) => runCli(argv, io, { groups: [registerSecrets] }), args);
}
