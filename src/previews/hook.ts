/**
 * The `post-receive` hook for self-hosted git: installed in a bare repository, it tells the
 * Chartroom server which branches were pushed or deleted, signed with HMAC-SHA256 (a secret read
 * from a file, never written into the hook), and prints what the server answered to the pusher
 * ("remote: chartroom: preview of devopsstage is deploying → http://…"). A post-receive hook
 * cannot refuse a push, so when the server is unreachable it says so and exits 0.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChartroomError, ExitCode, NotFoundError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';

export interface HookOptions {
  /** The bare repository (or a repository's .git folder). */
  repo: string;
  /** The server's post-receive endpoint, e.g. http://127.0.0.1:8080/previews/webhooks/post-receive. */
  url: string;
  /** A file holding the shared secret (the server's previews.webhooks.postReceive). */
  secretFile: string;
  /** How the server knows this repository (previews.apps[].repo). */
  name: string;
  /** The Node.js the hook runs with (default: this one). */
  node?: string;
}

/** The line that tells our own hook (replaced on a new install) from someone else's (kept). */
const hookMarker = 'Installed by chartroom previews hook install';

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

function script(options: HookOptions): string {
  const settings = JSON.stringify({
    url: options.url,
    repo: options.name,
    secretFile: resolve(options.secretFile),
  });
  return `// Installed by chartroom previews hook install: tells the Chartroom server about pushes.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const settings = ${settings};
const say = (line) => process.stdout.write('chartroom: ' + line + '\\n');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const updates = input
  .split('\\n')
  .map((line) => line.trim().split(/\\s+/))
  .filter((parts) => parts.length === 3)
  .map(([before, after, ref]) => ({ before, after, ref }));
if (updates.length === 0) process.exit(0);

let secret;
try {
  secret = readFileSync(settings.secretFile, 'utf8').trim();
} catch (error) {
  say('cannot read the hook secret ' + settings.secretFile + ': ' + error.message);
  process.exit(0);
}
const body = JSON.stringify({
  repo: settings.repo,
  pushedAt: new Date().toISOString(),
  pusher: process.env.GIT_PUSHER ?? process.env.USER ?? process.env.LOGNAME ?? 'unknown',
  updates,
});
const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
try {
  const response = await fetch(settings.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-chartroom-signature-256': signature,
      'x-chartroom-delivery': randomUUID(),
    },
    body,
    signal: AbortSignal.timeout(15000),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    say('the server refused the push notice (HTTP ' + response.status + '): ' + (answer.error ?? ''));
    process.exit(0);
  }
  for (const preview of answer.previews ?? []) {
    const branch = preview.branch;
    switch (preview.action) {
      case 'deploy':
        say('preview of ' + branch + ' is deploying → ' + preview.url);
        if (preview.dashboard) say('  follow it at ' + preview.dashboard);
        break;
      case 'unchanged':
        say('preview of ' + branch + ' already has this commit → ' + preview.url);
        break;
      case 'teardown':
        say('preview of ' + branch + ' is being removed');
        break;
      case 'queued-after-teardown':
        say('preview of ' + branch + ' is being removed; it comes back with this commit right after');
        break;
      default:
        say('preview of ' + branch + ': ' + preview.action + (preview.reason ? ' (' + preview.reason + ')' : ''));
    }
  }
} catch (error) {
  say('could not reach ' + settings.url + ': ' + error.message + ' (the push itself worked)');
}
`;
}

/** Writes hooks/post-receive (and the script it runs) into a repository; returns the hook's path. */
export function installPostReceiveHook(options: HookOptions): string {
  const repo = resolve(options.repo);
  const hooks = existsSync(join(repo, 'hooks')) ? join(repo, 'hooks') : join(repo, '.git', 'hooks');
  if (!existsSync(join(repo, 'HEAD')) && !existsSync(join(repo, '.git', 'HEAD')))
    throw new NotFoundError(
      `${options.repo} is not a git repository`,
      'Pass the bare repository that people push to.',
    );
  if (!existsSync(options.secretFile))
    throw new NotFoundError(
      `no secret file ${options.secretFile}`,
      'Write the server’s postReceive secret into it (mode 600).',
    );
  const secret = statSync(options.secretFile);
  // Checked now: the hook reads the file on every push, and a push cannot fail on it any more.
  if (!secret.isFile())
    throw new UsageError(
      `${options.secretFile} is not a file`,
      'Pass the file that holds the server’s postReceive secret.',
    );
  if ((secret.mode & 0o077) !== 0)
    throw new UsageError(
      `${options.secretFile} can be read by other users`,
      `Restrict it: chmod 600 ${options.secretFile}`,
    );
  if (readFileSync(options.secretFile, 'utf8').trim() === '')
    throw new UsageError(
      `${options.secretFile} is empty`,
      'Write the server’s postReceive secret (previews.webhooks.postReceive) into it.',
    );
  if (!/^https?:\/\//.test(options.url))
    throw new UsageError(
      `--url must be an http(s) URL, not ${options.url}`,
      'e.g. https://chartroom.example.com/previews/webhooks/post-receive',
    );
  const hookPath = join(hooks, 'post-receive');
  if (existsSync(hookPath) && !readFileSync(hookPath, 'utf8').includes(hookMarker))
    throw new ChartroomError(`${hookPath} exists and is not Chartroom's`, {
      code: 'hook-exists',
      exitCode: ExitCode.conflict,
      hint: 'Move it aside (or run hooks/chartroom-post-receive.mjs from it yourself), then install again.',
    });
  mkdirSync(hooks, { recursive: true });
  const scriptPath = join(hooks, 'chartroom-post-receive.mjs');
  writeFileAtomic(scriptPath, script(options), { mode: 0o644 });
  writeFileAtomic(
    hookPath,
    `#!/bin/sh\n# ${hookMarker}.\nexec ${shellQuote(options.node ?? process.execPath)} ${shellQuote(scriptPath)}\n`,
    { mode: 0o755 },
  );
  chmodSync(hookPath, 0o755);
  return hookPath;
}
