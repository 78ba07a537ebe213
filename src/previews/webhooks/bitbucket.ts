/**
 * Bitbucket Cloud `repo:push` webhooks, signed like GitHub's (X-Hub-Signature: sha256=<hmac of
 * the raw body>; Bitbucket sends it only when a secret is set, and here one is required). One push
 * carries a list of changes; a deleted branch is a change with `new: null` and `closed: true`.
 * X-Request-UUID identifies the delivery across retries.
 */
import { z } from 'zod';
import {
  header,
  parseJson,
  WebhookRejected,
  type GitChange,
  type Headers,
  type ParsedDelivery,
} from './types.js';
import { verifySha256Header } from './verify.js';

const ref = z
  .looseObject({
    type: z.string(),
    name: z.string(),
    target: z.looseObject({ hash: z.string() }).optional(),
  })
  .nullable();

const pushPayload = z.looseObject({
  repository: z.looseObject({
    full_name: z.string(),
    mainbranch: z.looseObject({ name: z.string() }).nullish(),
  }),
  actor: z.looseObject({ nickname: z.string().optional(), display_name: z.string().optional() }).optional(),
  push: z.looseObject({
    changes: z.array(z.looseObject({ new: ref, old: ref, closed: z.boolean().optional() })),
  }),
});

export function parseBitbucket(headers: Headers, body: Buffer, secret: Uint8Array): ParsedDelivery {
  if (!verifySha256Header(header(headers, 'x-hub-signature'), secret, body)) {
    throw new WebhookRejected(401, 'X-Hub-Signature is missing or does not match the body');
  }
  const event = header(headers, 'x-event-key') ?? '';
  const deliveryId = header(headers, 'x-request-uuid');
  const base = { source: 'bitbucket' as const, deliveryId, event };
  if (event === 'diagnostics:ping') return { ...base, ignored: 'ping', changes: [] };
  if (event !== 'repo:push')
    return { ...base, ignored: `event ${event || '(none)'} is not used`, changes: [] };
  const parsed = pushPayload.safeParse(parseJson(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejected(
      400,
      `not a Bitbucket push payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const push = parsed.data;
  const repo = push.repository.full_name;
  const sender = push.actor?.nickname ?? push.actor?.display_name;
  const defaultBranch = push.repository.mainbranch?.name;
  const common = {
    repo,
    ...(sender === undefined ? {} : { sender }),
    ...(defaultBranch === undefined ? {} : { defaultBranch }),
  };
  const changes: GitChange[] = [];
  for (const change of push.push.changes) {
    if (change.new?.type === 'branch' && change.new.target !== undefined) {
      changes.push({
        kind: 'push',
        ...common,
        branch: change.new.name,
        commit: change.new.target.hash,
        ...(change.old?.target === undefined ? {} : { before: change.old.target.hash }),
      });
    } else if (change.new === null && change.old?.type === 'branch') {
      changes.push({ kind: 'delete', ...common, branch: change.old.name });
    }
  }
  return changes.length === 0 ? { ...base, ignored: 'no branch changes', changes } : { ...base, changes };
}
