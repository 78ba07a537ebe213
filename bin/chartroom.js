#!/usr/bin/env node
// The `chartroom` executable. It is CommonJS on purpose (bin/package.json says so): calls that
// happen many times a minute are answered by bundles (built by tools/build-bundles.ts) before
// Node 20 sets up its ESM loader and the full CLI loads commander and every command group:
// - a cached `access token` (kubectl runs it on every call) by dist/access-token-warm.cjs, which
//   leaves anything it does not fully understand to the full CLI;
// - `secrets …` (sops-style one call per file) by dist/cli-secrets.cjs, the program with only the
//   secrets group.
// Everything else runs the full CLI: the compiled dist/ (built by `npm ci` through the prepare
// script), or, in a checkout without dist/, the TypeScript sources through tsx.
'use strict';
const { existsSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = join(__dirname, '..', 'dist');
const args = process.argv.slice(2);

/** The warm token text, or undefined when the full CLI has to answer. */
function warmToken() {
  if (args[0] !== 'access' || args[1] !== 'token') return undefined;
  const bundle = join(dist, 'access-token-warm.cjs');
  if (!existsSync(bundle)) return undefined;
  try {
    return require(bundle).warmTokenOutput(args.slice(2), process.env);
  } catch {
    // An unreadable cache or a broken bundle is not the user's problem: the full CLI will
    // sign anew or say what is wrong.
    return undefined;
  }
}

function runFullCli() {
  const compiled = join(dist, 'cli', 'main.js');
  const started = existsSync(compiled)
    ? import(pathToFileURL(compiled).href)
    : import('tsx/esm/api').then(({ register }) => {
        register();
        return import(pathToFileURL(join(__dirname, '..', 'src', 'cli', 'main.ts')).href);
      });
  started.catch((error) => {
    process.stderr.write(
      `error: chartroom could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.stderr.write(
      'hint: Run `npm ci` in the checkout (it installs the dependencies and builds dist/).\n',
    );
    process.exitCode = 70;
  });
}

/** fd 1 directly: process.stdout would load the stream machinery for one small write. */
function writeToken(text) {
  const bytes = Buffer.from(text);
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(1, bytes, done);
  } catch (error) {
    process.stderr.write(
      `error: could not write the token: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

const token = warmToken();
const secretsBundle = join(dist, 'cli-secrets.cjs');
if (token !== undefined) {
  writeToken(token);
} else if (args[0] === 'secrets' && existsSync(secretsBundle)) {
  // The bundle reports its own errors and sets the exit code, exactly as the full CLI does.
  void require(secretsBundle).main(args);
} else {
  runFullCli();
}
