/**
 * Builds the launcher's CommonJS bundles into dist/ (after tsc; `npm run build`). bin/chartroom.js
 * runs them before the full CLI for the calls that happen many times a minute, where Node 20's ESM
 * loader, resolving dozens of modules one by one, cost more than the work:
 *
 * - dist/access-token-warm.cjs: a cached `access token` for kubectl (src/access/token/warm-path.ts,
 *   node built-ins only);
 * - dist/cli-secrets.cjs: `secrets …` (src/cli/bundle-secrets.ts). Packages stay outside the
 *   bundle: commander is small, and the key sources' libraries (openpgp, the AWS SDK, yaml, …) are
 *   imported only when a file needs them.
 *
 * Both live in dist/ beside the compiled sources, so the secrets bundle's `import.meta.url`
 * (defined from __filename) still finds package.json and node_modules above it.
 */
import { build, type BuildOptions } from 'esbuild';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(root, 'src/access/token/warm-path.ts')],
  outfile: join(root, 'dist/access-token-warm.cjs'),
});
await build({
  ...common,
  entryPoints: [join(root, 'src/cli/bundle-secrets.ts')],
  outfile: join(root, 'dist/cli-secrets.cjs'),
  packages: 'external',
  // package.json and the lazily required yaml are found from import.meta.url.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
