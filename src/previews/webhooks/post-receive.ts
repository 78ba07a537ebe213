/**
 * The `post-receive` hook mode for self-hosted git: a bare repository's hook (see hook-script.ts)
 * posts the refs it received, signed with HMAC-SHA256 over the raw body
 * (X-Chartroom-Signature-256) with a secret shared with the server. The body carries the time of
 * the push; a delivery older than five minutes is refused, so a captured request cannot be
 * replayed later, and X-Chartroom-Delivery deduplicates within that window.
 */
import { z } from 'zod';
import {
  branchOf,
  header,
  isZeroSha,
  parseJson,
  WebhookRejected,
  type GitChange,
  type Headers,
  type ParsedDelivery,
} from './types.js';
import { verifySha256Header } from './verify.js';

export const postReceiveSignatureHeader = 'x-chartroom-signature-256';
export const postReceiveDeliveryHeader = 'x-chartroom-delivery';
const replayWindowMs = 5 * 60_000;

const hookPayload = z
  .object({
    repo: z.string().min(1),
    pushedAt: z.string(),
    pusher: z.string().optional(),
    updates: z.array(
      z.object({
        before: z.string().regex(/^[0-9a-f]{40,64}$/),
        after: z.string().regex(/^[0-9a-f]{40,64}$/),
        ref: z.string(),
      }),
    ),
  })
  .strict();

export type PostReceivePayload = z.infer<typeof hookPayload>;

export function parsePostReceive(
  headers: Headers,
  body: Buffer,
  secret: Uint8Array,
  now = Date.now(),
): ParsedDelivery {
  if (!verifySha256Header(header(headers, postReceiveSignatureHeader), secret, body)) {
    throw new WebhookRejected(401, 'X-Chartroom-Signature-256 is missing or does not match the body');
  }
  const parsed = hookPayload.safeParse(parseJson(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookRejected(
      400,
      `not a post-receive payload: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const hook = parsed.data;
  const pushedAt = Date.parse(hook.pushedAt);
  if (Number.isNaN(pushedAt) || Math.abs(now - pushedAt) > replayWindowMs) {
    throw new WebhookRejected(401, 'the push time is more than five minutes away from the server clock');
  }
  const common = { repo: hook.repo, ...(hook.pusher === undefined ? {} : { sender: hook.pusher }) };
  const changes: GitChange[] = [];
  for (const update of hook.updates) {
    const branch = branchOf(update.ref);
    if (branch === undefined) continue;
    changes.push(
      isZeroSha(update.after)
        ? { kind: 'delete', ...common, branch }
        : {
            kind: 'push',
            ...common,
            branch,
            commit: update.after,
            before: update.before,
            pushedAt: new Date(pushedAt).toISOString(),
          },
    );
  }
  return {
    source: 'post-receive',
    deliveryId: header(headers, postReceiveDeliveryHeader),
    event: 'post-receive',
    ...(changes.length === 0 ? { ignored: 'no branch updates' } : {}),
    changes,
  };
}
