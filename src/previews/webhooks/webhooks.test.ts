import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBitbucket } from './bitbucket.js';
import { parseGitHub } from './github.js';
import { parseGitLab } from './gitlab.js';
import { parsePostReceive } from './post-receive.js';
import { WebhookRejected } from './types.js';
import { constantTimeEqual, hmacSha256Hex } from './verify.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const fixtures = resolve(repoRoot, '../shared/fixtures/git-webhooks');
const fixture = (path: string): Buffer => readFileSync(resolve(fixtures, path));

const secret = Buffer.from('a-webhook-secret-of-some-length');
const sign = (body: Buffer, key: Uint8Array = secret): string => `sha256=${hmacSha256Hex(key, body)}`;

function rejected(run: () => unknown): WebhookRejected {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookRejected) return error;
    throw error;
  }
  throw new Error('expected the delivery to be rejected');
}

describe('signatures', () => {
  it('matches the test vector in GitHub’s documentation', () => {
    expect(hmacSha256Hex(Buffer.from("It's a Secret to Everybody"), Buffer.from('Hello, World!'))).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('compares in constant time whatever the lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('GitHub', () => {
  const headers = (body: Buffer, event: string, extra: Record<string, string> = {}) => ({
    'x-github-event': event,
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': sign(body),
    ...extra,
  });

  it('reads a push that creates a branch (octokit fixture)', () => {
    const body = fixture('octokit-webhooks/push/with-new-branch.payload.json');
    expect(parseGitHub(headers(body, 'push'), body, secret)).toEqual({
      source: 'github',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      event: 'push',
      changes: [
        {
          kind: 'push',
          repo: 'Codertocat/Hello-World',
          branch: 'master',
          defaultBranch: 'master',
          sender: 'Codertocat',
          commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          before: '0000000000000000000000000000000000000000',
          pushedAt: new Date(1557933657 * 1000).toISOString(),
        },
      ],
    });
  });

  it('reads a normal push to an existing branch (go-playground fixture)', () => {
    const body = fixture('go-playground-webhooks/github/push.json');
    const [change] = parseGitHub(headers(body, 'push'), body, secret).changes;
    expect(change).toMatchObject({
      kind: 'push',
      repo: 'binkkatal/sample_app',
      branch: 'master',
      commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72',
      before: '737d38c599c1b2991664dfc6155d6bf516fcce36',
    });
  });

  it('ignores tags, and reads a branch deleted by push or by a delete event', () => {
    const tagDelete = fixture('octokit-webhooks/push/payload.json');
    expect(parseGitHub(headers(tagDelete, 'push'), tagDelete, secret)).toMatchObject({
      ignored: 'not a branch: refs/tags/simple-tag',
      changes: [],
    });
    const deleteTag = fixture('octokit-webhooks/delete/payload.json');
    expect(parseGitHub(headers(deleteTag, 'delete'), deleteTag, secret).changes).toEqual([]);

    const asBranch = (payload: Buffer, patch: object): Buffer =>
      Buffer.from(JSON.stringify({ ...(JSON.parse(payload.toString()) as object), ...patch }));
    const pushDeleted = asBranch(tagDelete, { ref: 'refs/heads/merge-test' });
    expect(parseGitHub(headers(pushDeleted, 'push'), pushDeleted, secret).changes).toEqual([
      expect.objectContaining({ kind: 'delete', branch: 'merge-test', repo: 'Codertocat/Hello-World' }),
    ]);
    const deleteBranch = asBranch(deleteTag, { ref: 'merge-test', ref_type: 'branch' });
    expect(parseGitHub(headers(deleteBranch, 'delete'), deleteBranch, secret).changes).toEqual([
      expect.objectContaining({ kind: 'delete', branch: 'merge-test' }),
    ]);
  });

  it('refuses a missing, wrong or stale signature with 401, before parsing', () => {
    const body = fixture('go-playground-webhooks/github/push.json');
    const other = Buffer.from('another-secret-entirely-here');
    for (const bad of [
      { 'x-hub-signature-256': undefined },
      { 'x-hub-signature-256': sign(body, other) },
      { 'x-hub-signature-256': 'sha1=' + hmacSha256Hex(secret, body) },
      { 'x-hub-signature-256': sign(Buffer.concat([body, Buffer.from(' ')])) },
    ]) {
      const error = rejected(() => parseGitHub({ ...headers(body, 'push'), ...bad }, body, secret));
      expect(error.status).toBe(401);
    }
    // The signature covers the bytes: the same JSON re-encoded does not verify.
    const reencoded = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(rejected(() => parseGitHub(headers(body, 'push'), reencoded, secret)).status).toBe(401);
    // Garbage with a valid signature is a 400, not a crash.
    const garbage = Buffer.from('{"ref": 1}');
    expect(rejected(() => parseGitHub(headers(garbage, 'push'), garbage, secret)).status).toBe(400);
  });

  it('answers pings and ignores other events', () => {
    const body = Buffer.from('{"zen":"Design for failure."}');
    expect(parseGitHub(headers(body, 'ping'), body, secret)).toMatchObject({ ignored: 'ping' });
    expect(parseGitHub(headers(body, 'issues'), body, secret)).toMatchObject({
      ignored: 'event issues is not used',
    });
  });
});

describe('GitLab', () => {
  const body = fixture('go-playground-webhooks/gitlab/push-event.json');
  const headers = {
    'x-gitlab-event': 'Push Hook',
    'x-gitlab-token': secret.toString(),
    'idempotency-key': 'k-1',
  };

  it('reads a push (go-playground fixture) with the token checked', () => {
    expect(parseGitLab(headers, body, secret)).toEqual({
      source: 'gitlab',
      deliveryId: 'k-1',
      event: 'Push Hook',
      changes: [
        {
          kind: 'push',
          repo: 'mike/diaspora',
          branch: 'master',
          defaultBranch: 'master',
          commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
        },
      ],
    });
  });

  it('reads an all-zero after as a deleted branch', () => {
    const deleted = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(body.toString()) as object),
        ref: 'refs/heads/feature/a',
        after: '0000000000000000000000000000000000000000',
        checkout_sha: null,
      }),
    );
    expect(parseGitLab(headers, deleted, secret).changes).toEqual([
      { kind: 'delete', repo: 'mike/diaspora', branch: 'feature/a', defaultBranch: 'master' },
    ]);
  });

  it('refuses a wrong or missing token with 401', () => {
    expect(rejected(() => parseGitLab({ ...headers, 'x-gitlab-token': 'nope' }, body, secret)).status).toBe(
      401,
    );
    expect(rejected(() => parseGitLab({ 'x-gitlab-event': 'Push Hook' }, body, secret)).status).toBe(401);
  });
});

describe('Bitbucket Cloud', () => {
  const payload = {
    actor: { nickname: 'dev' },
    repository: { full_name: 'team/webapp', mainbranch: { name: 'main' } },
    push: {
      changes: [
        {
          new: { type: 'branch', name: 'feature/a', target: { hash: 'a'.repeat(40) } },
          old: { type: 'branch', name: 'feature/a', target: { hash: 'b'.repeat(40) } },
          closed: false,
          created: false,
        },
        {
          new: null,
          old: { type: 'branch', name: 'old-work', target: { hash: 'c'.repeat(40) } },
          closed: true,
        },
        { new: { type: 'tag', name: 'v1', target: { hash: 'd'.repeat(40) } }, old: null, closed: false },
      ],
    },
  };
  const body = Buffer.from(JSON.stringify(payload));
  const headers = { 'x-event-key': 'repo:push', 'x-request-uuid': 'u-1', 'x-hub-signature': sign(body) };

  it('reads pushed and deleted branches, and skips tags', () => {
    expect(parseBitbucket(headers, body, secret)).toEqual({
      source: 'bitbucket',
      deliveryId: 'u-1',
      event: 'repo:push',
      changes: [
        {
          kind: 'push',
          repo: 'team/webapp',
          sender: 'dev',
          defaultBranch: 'main',
          branch: 'feature/a',
          commit: 'a'.repeat(40),
          before: 'b'.repeat(40),
        },
        { kind: 'delete', repo: 'team/webapp', sender: 'dev', defaultBranch: 'main', branch: 'old-work' },
      ],
    });
  });

  it('requires the signature', () => {
    expect(
      rejected(() => parseBitbucket({ ...headers, 'x-hub-signature': undefined }, body, secret)).status,
    ).toBe(401);
  });
});

describe('post-receive hook', () => {
  const now = Date.parse('2026-11-20T10:00:00Z');
  const payload = (pushedAt: string) =>
    Buffer.from(
      JSON.stringify({
        repo: 'local/webapp',
        pushedAt,
        pusher: 'dev',
        updates: [
          { before: '0'.repeat(40), after: 'e'.repeat(40), ref: 'refs/heads/devopsstage' },
          { before: 'f'.repeat(40), after: '0'.repeat(40), ref: 'refs/heads/gone' },
          { before: '0'.repeat(40), after: 'e'.repeat(40), ref: 'refs/tags/v1' },
        ],
      }),
    );

  it('reads the updates of a signed push', () => {
    const body = payload('2026-11-20T09:59:58Z');
    const parsed = parsePostReceive(
      { 'x-chartroom-signature-256': sign(body), 'x-chartroom-delivery': 'd-1' },
      body,
      secret,
      now,
    );
    expect(parsed.deliveryId).toBe('d-1');
    expect(parsed.changes).toEqual([
      {
        kind: 'push',
        repo: 'local/webapp',
        sender: 'dev',
        branch: 'devopsstage',
        commit: 'e'.repeat(40),
        before: '0'.repeat(40),
        pushedAt: '2026-11-20T09:59:58.000Z',
      },
      { kind: 'delete', repo: 'local/webapp', sender: 'dev', branch: 'gone' },
    ]);
  });

  it('refuses a bad signature and a replay outside the five-minute window', () => {
    const body = payload('2026-11-20T09:59:58Z');
    expect(rejected(() => parsePostReceive({}, body, secret, now)).status).toBe(401);
    const old = payload('2026-11-20T09:50:00Z');
    const error = rejected(() =>
      parsePostReceive({ 'x-chartroom-signature-256': sign(old) }, old, secret, now),
    );
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/five minutes/);
  });
});
