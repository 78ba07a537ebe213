import { ChartroomError, ExitCode } from '../../core/errors.js';

/**
 * Why a token was refused. `format`: the token itself is wrong (never sent to STS). `sts`: STS
 * refused it or could not be asked. `throttled`: STS is rate-limiting us, so the webhook answers
 * 429 and the API server retries instead of caching a denial.
 */
export type TokenRejectionKind = 'format' | 'sts' | 'throttled' | 'sts-unavailable';

export class TokenRejectedError extends ChartroomError {
  constructor(
    readonly kind: TokenRejectionKind,
    message: string,
    cause?: unknown,
  ) {
    super(kind === 'format' ? `input token was not properly formatted: ${message}` : message, {
      code: `token-${kind}`,
      exitCode: kind === 'format' ? ExitCode.usage : ExitCode.remote,
      hint:
        kind === 'format'
          ? 'Get a fresh token with `chartroom access token --cluster-id <id>`.'
          : 'Check that the token was made for this cluster and is less than 15 minutes old.',
      cause,
    });
  }
}
