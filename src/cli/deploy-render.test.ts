/**
 * What a user sees of a deploy: a live block redrawn in place on a terminal, plain lines in CI,
 * NDJSON events with --output json — fed the same event stream a failing deploy produces.
 */
import { describe, expect, it } from 'vitest';
import { Output } from '../core/output/index.js';
import type { DeployEvent, DeployOutcomeSummary, Diagnosis, WorkloadProgress } from '../deploy/index.js';
import { MemoryStream } from '../testing/memory-stream.js';
import { deployRenderer } from './deploy-render.js';

const at = '2026-11-26T10:00:00.000Z';
/** Cursor up over the drawn block, then erase below it. */
const erase = '\u001b\\[\\d+A\u001b\\[0J';
const ref = { kind: 'Deployment' as const, name: 'webapp', namespace: 'shop' };
const hook = { kind: 'Job' as const, name: 'webapp-migrate', namespace: 'shop', hook: ['pre-upgrade'] };

const rolling: WorkloadProgress[] = [
  {
    ref: hook,
    state: 'ready',
    desired: 1,
    updated: 1,
    ready: 0,
    available: 0,
    succeeded: 1,
    message: 'completed',
  },
  {
    ref,
    state: 'progressing',
    desired: 3,
    updated: 1,
    ready: 0,
    available: 2,
    message: 'pod webapp-7d9f-x2x: ContainerCreating',
  },
];

const diagnosis: Diagnosis = {
  class: 'crash-loop',
  summary: 'Deployment/webapp: crash loop — pod webapp-7d9f-x2x, container web: exited with code 3 (Error)',
  workload: ref,
  pod: 'webapp-7d9f-x2x',
  container: 'web',
  message: 'exited with code 3 (Error)',
  logs: ['Error: connect ECONNREFUSED 10.96.0.12:5432'],
  hint: 'read its log',
  visibleAt: at,
  detectedAt: at,
};

const result: DeployOutcomeSummary = {
  status: 'failed',
  app: 'webapp',
  env: 'staging',
  release: 'webapp',
  namespace: 'shop',
  revision: 4,
  releaseStatus: 'failed',
  durationMs: 12_300,
  valuesDigest: 'f'.repeat(64),
  commit: undefined,
  who: 'ci@runner',
  historyId: 'h1',
  recovery: undefined,
  diagnosis,
  workloads: rolling,
  notes: undefined,
};

const stream: DeployEvent[] = [
  {
    type: 'start',
    app: 'webapp',
    env: 'staging',
    release: 'webapp',
    namespace: 'shop',
    chart: 'webapp-0.1.0',
    timeout: '10m0s',
    atomic: false,
    values: [
      { name: 'helm/env/secrets.staging.yaml', kind: 'secret-file' },
      { name: 'helm/env/staging.yaml', kind: 'file' },
    ],
    at,
  },
  { type: 'helm-log', line: 'upgrade.go:164: [debug] preparing upgrade for webapp', at },
  { type: 'progress', workloads: rolling, at },
  { type: 'diagnosis', diagnosis, at },
  { type: 'stopping', reason: `rollout failed: ${diagnosis.summary}`, at },
  { type: 'done', result, at },
];

function render(options: { tty: boolean; json?: boolean; env?: NodeJS.ProcessEnv }) {
  const stdout = new MemoryStream(options.tty);
  const stderr = new MemoryStream(options.tty);
  const env = options.env ?? {};
  const out = new Output({
    mode: options.json === true ? 'json' : 'text',
    stdout,
    stderr,
    env,
    noColor: true,
  });
  const renderer = deployRenderer(out, env);
  for (const event of stream) renderer.onEvent(event);
  renderer.finish(result);
  return { stdout: stdout.text, stderr: stderr.text };
}

describe('deploy output', () => {
  it('on a terminal, redraws one line per workload in place and clears the block at the end', () => {
    const { stdout, stderr } = render({ tty: true });
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'values (in order): helm/env/secrets.staging.yaml (sops, decrypted in memory), helm/env/staging.yaml',
    );
    expect(stderr).toMatch(/Deployment\/webapp\s+1\/3 updated {2}0\/3 ready {2}2\/3 available/);
    expect(stderr).toMatch(/Job\/webapp-migrate \(hook\)\s+1\/1 completed/);
    // Cursor up over the drawn block, then erase below: the block is redrawn, not appended.
    expect(stderr.match(new RegExp(erase, 'g'))?.length).toBeGreaterThan(2);
    expect(stderr).toContain('✗ Deployment/webapp: crash loop — pod webapp-7d9f-x2x, container web');
    expect(stderr).toContain('  | Error: connect ECONNREFUSED 10.96.0.12:5432');
    // The end erases the live block and writes the outcome; nothing is redrawn under it.
    expect(stderr).toMatch(
      new RegExp(`${erase}failed after 12\\.3s; release webapp is failed \\(revision 4\\)\\n$`),
    );
  });

  it('in CI, writes plain lines without cursor movement', () => {
    const { stderr } = render({ tty: true, env: { CI: 'true' } });
    expect(stderr).not.toContain('\u001b[');
    expect(stderr).toContain(
      'Deployment/webapp: 1/3 updated  0/3 ready  2/3 available — pod webapp-7d9f-x2x: ContainerCreating\n',
    );
    expect(stderr).toContain('stopping Helm (SIGTERM): rollout failed\n');
    expect(stderr).not.toContain('preparing upgrade');
  });

  it('with --output json, prints every event as one JSON line on stdout (Helm’s log only with --debug)', () => {
    const { stdout, stderr } = render({ tty: false, json: true });
    expect(stderr).toBe('');
    const types = stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['start', 'progress', 'diagnosis', 'stopping', 'done']);
  });
});
