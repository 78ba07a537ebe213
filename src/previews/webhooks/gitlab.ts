/**
 * GitLab push hooks. GitLab signs nothing: it sends the configured secret token as
 * X-Gitlab-Token, compared here in constant time. A deleted branch is a push whose `after` is all
 * zeros. Idempotency-Key stays the same across GitLab's retries; X-Gitlab-Event-UUID is the
 * fallback id.
 */
import { z } from 'zod';
import {
  branchOf,
  header,
  isZeroSha,
  parseJson,
  WebhookRejected,
  type Headers,
  type ParsedDelivery,
} from './types.js';
import { constantTimeEqual } from './verify.js';

const pushPayload = z.looseObject({
  object_kind: z.string(),
  ref: z.string(),
  before: z.string().optional(),
  after: z.string(),
  user_username: z.string().optional(),
  project: z.looseObject({ path_with_namespace: z.string(), default_branch: z.string().nullish() }),
});

export function parseGitLab(headers: Headers, body: Buffer, secret: Uint8Array): ParsedDelivery {
  const token = header(headers, 'x-gitlab-token');
  if (token === undefined || !constantTimeEqual(token, secret)) {
    throw new WebhookRejected(401, 'X-Gitlab-Token is missing or wrong');
  }
  const event = header(headers, 'x-gitlab-event') ?? '';
  const deliveryId = header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid');
  const base = { source: 'gitlab' as const, deliveryId, event };
  if (event !== 'Push Hook' && event !== 'System Hook')
    return { ...base, ignored: `event ${event || '(none)'} is not used`, changes: [] };
  const parsed = pushPayload.safeParse(parseJson(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejected(
      400,
      `not a GitLab push payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const push = parsed.data;
  if (push.object_kind !== 'push')
    return { ...base, ignored: `object_kind ${push.object_kind}`, changes: [] };
  const branch = branchOf(push.ref);
  if (branch === undefined) return { ...base, ignored: `not a branch: ${push.ref}`, changes: [] };
  const common = {
    repo: push.project.path_with_namespace,
    branch,
    ...(push.project.default_branch == null ? {} : { defaultBranch: push.project.default_branch }),
    ...(push.user_username === undefined ? {} : { sender: push.user_username }),
  };
  return {
    ...base,
    changes: [
      isZeroSha(push.after)
        ? { kind: 'delete', ...common }
        : {
            kind: 'push',
            ...common,
            commit: push.after,
            ...(push.before === undefined ? {} : { before: push.before }),
          },
    ],
  };
}
