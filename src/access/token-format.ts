/** The aws-iam-authenticator token format, shared by the signer and the verifier. */
export const tokenPrefix = 'k8s-aws-v1.';
/** STS honours a pre-signed GetCallerIdentity URL for 15 minutes after X-Amz-Date. */
export const presignedUrlLifetimeMs = 15 * 60_000;

/** Parses an X-Amz-Date (`20230428T000000Z`) to epoch milliseconds; undefined unless it is a real instant. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 20230230 over into March; a real date survives the round trip.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return ms;
}
