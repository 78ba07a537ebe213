/**
 * Signature checks shared by the webhooks: HMAC-SHA256 over the raw request bytes, and
 * constant-time comparison (a byte-by-byte compare that stops early leaks how much matched).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256Hex(secret: Uint8Array, body: Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so the comparison takes
 * the same time whatever their lengths (timingSafeEqual itself needs equal lengths).
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const digest = (value: string | Uint8Array): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b)) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/** Checks a `sha256=<hex>` header (GitHub's X-Hub-Signature-256, Bitbucket's X-Hub-Signature). */
export function verifySha256Header(
  header: string | undefined,
  secret: Uint8Array,
  body: Uint8Array,
): boolean {
  if (header === undefined) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (match?.[1] === undefined) return false;
  return constantTimeEqual(match[1].toLowerCase(), hmacSha256Hex(secret, body));
}
