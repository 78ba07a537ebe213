import { ExitCode } from '../../core/errors.js';
import { NodesError } from '../errors.js';

/**
 * Why an IMDS request failed. The agent counts these by reason and keeps polling: a metadata
 * hiccup must never take the termination handler down with it.
 */
export type ImdsFailure =
  | 'hop-limit'
  | 'unauthorized'
  | 'forbidden'
  | 'unreachable'
  | 'timeout'
  | 'throttled'
  | 'server-error'
  | 'bad-response';

export class ImdsError extends NodesError {
  readonly reason: ImdsFailure;
  readonly path: string;
  readonly status: number | undefined;

  constructor(options: {
    reason: ImdsFailure;
    path: string;
    message: string;
    hint: string;
    status?: number;
    cause?: unknown;
  }) {
    super(options.message, {
      code: `imds-${options.reason}`,
      exitCode: ExitCode.remote,
      hint: options.hint,
      cause: options.cause,
    });
    this.reason = options.reason;
    this.path = options.path;
    this.status = options.status;
  }
}

export const hopLimitHint =
  'Raise the instance metadata hop limit to 2 (kops: spec.instanceMetadata.httpPutResponseHopLimit: 2; ' +
  'aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2), or run the agent with ' +
  'hostNetwork: true (the chart does by default).';
