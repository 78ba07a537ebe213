import { canonicalizeArn } from './arn.js';

/** Who signed a token, as STS told us. */
export interface CallerIdentity {
  arn: string;
  canonicalArn: string;
  accountId: string;
  /** The principal id (AIDA…/AROA…), without the session part. */
  userId: string;
  sessionName: string;
  accessKeyId: string;
  stsEndpoint: string;
}

interface GetCallerIdentityJson {
  GetCallerIdentityResponse?: {
    GetCallerIdentityResult?: { Account?: unknown; Arn?: unknown; UserId?: unknown };
  };
}

/** Parses STS's JSON answer and derives the canonical ARN, principal id and session name. */
export function identityFromStsResponse(
  body: string,
  context: { accessKeyId: string; stsEndpoint: string },
): CallerIdentity {
  const parsed = JSON.parse(body) as GetCallerIdentityJson;
  const result = parsed.GetCallerIdentityResponse?.GetCallerIdentityResult;
  const arn = typeof result?.Arn === 'string' ? result.Arn : '';
  const account = typeof result?.Account === 'string' ? result.Account : '';
  const rawUserId = typeof result?.UserId === 'string' ? result.UserId : '';
  const { canonical, type } = canonicalizeArn(arn);
  if (account === '' || arn.split(':')[4] !== account) {
    throw new Error(`account ${JSON.stringify(account)} does not match arn '${arn}'`);
  }
  let userId = rawUserId;
  let sessionName = '';
  if (type === 'role' || type === 'assumed-role') {
    const parts = rawUserId.split(':');
    if (parts.length > 2 || parts[0] === '') throw new Error(`malformed UserID ${JSON.stringify(rawUserId)}`);
    userId = parts[0] ?? '';
    sessionName = parts[1] ?? '';
  }
  return {
    arn,
    canonicalArn: canonical,
    accountId: account,
    userId,
    sessionName,
    accessKeyId: context.accessKeyId,
    stsEndpoint: context.stsEndpoint,
  };
}
