/**
 * GitHub `push` and `delete` webhooks. The body is signed with HMAC-SHA256 of the raw bytes
 * (X-Hub-Signature-256); X-GitHub-Delivery identifies a delivery, and a redelivery repeats it.
 * A deleted branch arrives twice — a push with `deleted: true` and a `delete` event — so teardown
 * downstream is idempotent.
 */
import { z } from 'zod';
import {
  branchOf,
  header,
  isoTime,
  isZeroSha,
  parseJson,
  WebhookRejected,
  type GitChange,
  type Headers,
  type ParsedDelivery,
} from './types.js';
import { verifySha256Header } from './verify.js';

const repository = z.looseObject({
  full_name: z.string(),
  default_branch: z.string().optional(),
  pushed_at: z.union([z.number(), z.string(), z.null()]).optional(),
});

const pushPayload = z.looseObject({
  ref: z.string(),
  before: z.string().optional(),
  after: z.string(),
  deleted: z.boolean().optional(),
  repository,
  pusher: z.looseObject({ name: z.string().optional() }).optional(),
  sender: z.looseObject({ login: z.string().optional() }).optional(),
});

const deletePayload = z.looseObject({
  ref: z.string(),
  ref_type: z.string(),
  repository,
  sender: z.looseObject({ login: z.string().optional() }).optional(),
});

function payload<T>(schema: z.ZodType<T>, body: Buffer, event: string): T {
  const parsed = schema.safeParse(parseJson(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejected(
      400,
      `not a GitHub ${event} payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

export function parseGitHub(headers: Headers, body: Buffer, secret: Uint8Array): ParsedDelivery {
  // Verify before reading anything else: an unsigned body must not even be parsed.
  if (!verifySha256Header(header(headers, 'x-hub-signature-256'), secret, body)) {
    throw new WebhookRejected(401, 'X-Hub-Signature-256 is missing or does not match the body');
  }
  const event = header(headers, 'x-github-event') ?? '';
  const deliveryId = header(headers, 'x-github-delivery');
  const base = { source: 'github' as const, deliveryId, event };
  if (event === 'ping') return { ...base, ignored: 'ping', changes: [] };
  if (event === 'push') {
    const push = payload(pushPayload, body, event);
    const branch = branchOf(push.ref);
    if (branch === undefined) return { ...base, ignored: `not a branch: ${push.ref}`, changes: [] };
    const common = {
      repo: push.repository.full_name,
      branch,
      ...(push.repository.default_branch === undefined
        ? {}
        : { defaultBranch: push.repository.default_branch }),
      ...(push.sender?.login === undefined ? {} : { sender: push.sender.login }),
    };
    const change: GitChange =
      push.deleted === true || isZeroSha(push.after)
        ? { kind: 'delete', ...common }
        : {
            kind: 'push',
            ...common,
            commit: push.after,
            ...(push.before === undefined ? {} : { before: push.before }),
            ...(isoTime(push.repository.pushed_at) === undefined
              ? {}
              : { pushedAt: isoTime(push.repository.pushed_at) }),
          };
    return { ...base, changes: [change] };
  }
  if (event === 'delete') {
    const deleted = payload(deletePayload, body, event);
    if (deleted.ref_type !== 'branch')
      return { ...base, ignored: `a ${deleted.ref_type} was deleted`, changes: [] };
    return {
      ...base,
      changes: [
        {
          kind: 'delete',
          repo: deleted.repository.full_name,
          branch: deleted.ref.replace(/^refs\/heads\//, ''),
          ...(deleted.repository.default_branch === undefined
            ? {}
            : { defaultBranch: deleted.repository.default_branch }),
          ...(deleted.sender?.login === undefined ? {} : { sender: deleted.sender.login }),
        },
      ],
    };
  }
  return { ...base, ignored: `event ${event || '(none)'} is not used`, changes: [] };
}
