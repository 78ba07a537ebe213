/**
 * The TokenReview webhook's logic, free of any HTTP framework: a request body in, a status code
 * and a response body out. kube-apiserver sends `authentication.k8s.io/v1` or `v1beta1` (its
 * `--authentication-token-webhook-version`); we answer in the version we were asked in.
 *
 * Outcomes:
 * - 200 authenticated: the token is valid and the caller is mapped;
 * - 200 not authenticated (with `status.error`): the token is bad, foreign, expired or unmapped —
 *   a final answer the API server may cache;
 * - 429: STS is throttling us; 503: STS could not be asked. Neither is an answer about the
 *   token, so the API server must not cache it and will retry.
 */
import type { IdentityMapper } from '../mapping/mapper.js';
import { TokenRejectedError } from '../verify/errors.js';
import type { CallerIdentity } from '../verify/identity.js';
import type { TokenVerifier } from '../verify/verifier.js';

const versions = ['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1'];

export interface TokenReviewDecision {
  at: string;
  authenticated: boolean;
  username?: string;
  groups?: string[];
  arn?: string;
  reason?: string;
}

export interface TokenReviewOptions {
  verifier: TokenVerifier;
  mapper: IdentityMapper;
  /** Told about every decision (for logs and metrics); never sees the token. */
  onDecision?: (decision: TokenReviewDecision) => void;
  signal?: AbortSignal;
}

export interface TokenReviewReply {
  statusCode: number;
  body: Record<string, unknown>;
}

export async function reviewToken(body: unknown, options: TokenReviewOptions): Promise<TokenReviewReply> {
  const request = body as { apiVersion?: unknown; kind?: unknown; spec?: { token?: unknown } } | null;
  if (
    request === null ||
    typeof request !== 'object' ||
    typeof request.apiVersion !== 'string' ||
    !versions.includes(request.apiVersion) ||
    request.kind !== 'TokenReview' ||
    typeof request.spec?.token !== 'string'
  ) {
    return {
      statusCode: 400,
      body: { error: 'expected a TokenReview (authentication.k8s.io/v1 or v1beta1) with spec.token' },
    };
  }
  const apiVersion = request.apiVersion;
  const reply = (statusCode: number, status: Record<string, unknown>): TokenReviewReply => ({
    statusCode,
    body: { apiVersion, kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: {}, status },
  });
  const decide = (decision: Omit<TokenReviewDecision, 'at'>): void => {
    options.onDecision?.({ at: new Date().toISOString(), ...decision });
  };

  let identity: CallerIdentity;
  try {
    identity = await options.verifier.verify(
      request.spec.token,
      options.signal === undefined ? {} : { signal: options.signal },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    decide({ authenticated: false, reason: message });
    if (error instanceof TokenRejectedError && error.kind === 'throttled') {
      return reply(429, { authenticated: false, error: message });
    }
    if (!(error instanceof TokenRejectedError) || error.kind === 'sts-unavailable') {
      return reply(503, { authenticated: false, error: message });
    }
    return reply(200, { authenticated: false, error: message });
  }
  const user = await options.mapper.map(identity);
  if (user === undefined) {
    const reason = `${identity.arn} is not mapped to a Kubernetes user`;
    decide({ authenticated: false, arn: identity.arn, reason });
    return reply(200, { authenticated: false, error: reason });
  }
  decide({ authenticated: true, arn: identity.arn, username: user.username, groups: user.groups });
  return reply(200, { authenticated: true, user });
}
