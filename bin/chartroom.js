#!/usr/bin/env node
// The `chartroom` executable. It is CommonJS on purpose (bin/package.json says so): kubectl runs
// `chartroom access token` on every call, and a cached token is served here by a small bundle
// (dist/access-token-warm.cjs, built from src/access/token/warm-path.ts) before Node 20 sets up
// its ESM loader and the CLI loads commander and every command group — together most of a cold
// start. Everything else, and any `access token` the bundle does not answer, runs the full CLI:
// the compiled dist/ (built by `npm ci` through the prepare script), or, in a checkout without
// dist/, the TypeScript sources through tsx.
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

const text = warmToken();
if (text === undefined) {
  runFullCli();
} else {
  // fd 1 directly: process.stdout would load the stream machinery for one small write.
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
