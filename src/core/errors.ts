/**
 * The one error model of Chartroom. Every failure a user can see is a ChartroomError with a stable
 * `code` (for scripts and JSON output), an `exitCode` (for shells), a `hint` (what to do next) and
 * the underlying `cause`. Anything else that reaches the top level is a bug and becomes an
 * InternalError.
 */

/** Exit codes shared by every command. Capabilities may add their own (secrets uses sops's). */
export const ExitCode = {
  ok: 0,
  /** The command ran and found problems (policy findings, scan over threshold, failed rollout). */
  findings: 1,
  usage: 2,
  config: 3,
  notFound: 4,
  /** A peer tool (helm, kubectl, gpg, …) failed or is missing. */
  peer: 5,
  /** The cluster or a remote API could not be reached or refused the request. */
  remote: 6,
  timeout: 7,
  permission: 8,
  /** Someone else holds the lock (a concurrent deploy, an edit in progress). */
  conflict: 9,
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export interface ChartroomErrorOptions {
  /** Stable machine-readable identifier, kebab-case, e.g. `config-invalid`. */
  code: string;
  exitCode?: number;
  /** One line telling the user what to do about it. */
  hint?: string;
  cause?: unknown;
}

export class ChartroomError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: ChartroomErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = options.exitCode ?? ExitCode.findings;
    this.hint = options.hint;
  }

  toJSON(): { code: string; message: string; hint?: string; exitCode: number } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      exitCode: this.exitCode,
    };
  }
}

/** Bad flags, unknown commands, wrong argument counts. */
export class UsageError extends ChartroomError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'usage', exitCode: ExitCode.usage, hint, cause });
  }
}

/** A configuration file or value that does not validate. */
export class ConfigError extends ChartroomError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'config-invalid', exitCode: ExitCode.config, hint, cause });
  }
}

export class NotFoundError extends ChartroomError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { code: 'not-found', exitCode: ExitCode.notFound, hint, cause });
  }
}

/** A bug: something no user input should cause. The hint asks for a report. */
export class InternalError extends ChartroomError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: 'internal',
      exitCode: ExitCode.internal,
      hint: 'This is a bug in Chartroom; run again with --debug and report the output.',
      cause,
    });
  }
}

/** Wraps anything thrown into a ChartroomError without losing the original as the cause. */
export function toChartroomError(thrown: unknown): ChartroomError {
  if (thrown instanceof ChartroomError) return thrown;
  if (isNodeSystemError(thrown)) {
    // fs.readFile of a folder fails in read(), whose error has no path: then no dangling colon.
    const path = thrown.path === undefined ? '' : `: ${thrown.path}`;
    switch (thrown.code) {
      case 'ENOENT':
        return new NotFoundError(`no such file or directory${path}`, 'Check the path and try again.', thrown);
      case 'EACCES':
      case 'EPERM':
        return new ChartroomError(`permission denied${path}`, {
          code: 'permission-denied',
          exitCode: ExitCode.permission,
          hint: 'Check the file permissions, or run as a user who may read it.',
          cause: thrown,
        });
      case 'EISDIR':
        return new UsageError(
          `expected a file but found a directory${path}`,
          'Pass a file, not a folder.',
          thrown,
        );
      case 'ENOTDIR':
        return new UsageError(
          `a part of the path is a file, not a folder${path}`,
          'Check the path: a file stands where a folder is expected.',
          thrown,
        );
      case 'EEXIST':
        // Only mkdir reaches here (exclusive creates handle EEXIST themselves): a file is in the way.
        if (thrown.syscall !== 'mkdir') break;
        return new UsageError(
          `expected a folder but found a file${path}`,
          'Pass a folder, or move the file away.',
          thrown,
        );
      default:
        break;
    }
  }
  // OpenSSL refusing a certificate or key is always key material the user gave (--tls-cert, …).
  if (isNodeSystemError(thrown) && thrown.code.startsWith('ERR_OSSL_')) {
    const reason = (thrown as { reason?: unknown }).reason;
    return new ConfigError(
      `not a valid TLS certificate or key: ${typeof reason === 'string' ? reason : thrown.message}`,
      'Check the PEM files given as certificate, key and CA (`openssl x509 -in FILE -noout` parses a certificate).',
      thrown,
    );
  }
  const network = networkError(thrown);
  if (network !== undefined) return network;
  const service = awsServiceError(thrown);
  if (service !== undefined) return service;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new InternalError(message, thrown);
}

export interface NodeSystemError extends Error {
  code: string;
  path?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** Error codes of a connection that could not be made or was lost: the network, not a bug. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * A remote endpoint that could not be reached: thrown as is by the AWS SDK and Node's sockets, or
 * as the cause of fetch's "fetch failed". The user can act on it (endpoint, network, proxy), so it
 * is not reported as a Chartroom bug.
 */
function networkError(thrown: unknown): ChartroomError | undefined {
  const system =
    isNodeSystemError(thrown) && NETWORK_CODES.has(thrown.code)
      ? thrown
      : thrown instanceof Error && isNodeSystemError(thrown.cause) && NETWORK_CODES.has(thrown.cause.code)
        ? thrown.cause
        : undefined;
  if (system === undefined) return undefined;
  const where =
    system.hostname ??
    (system.address === undefined
      ? undefined
      : `${system.address}${system.port === undefined ? '' : `:${system.port}`}`);
  return new ChartroomError(`could not reach ${where ?? 'a remote endpoint'}: ${system.code}`, {
    code: 'unreachable',
    exitCode: ExitCode.remote,
    hint: 'Check the endpoint, the network and any proxy settings (HTTPS_PROXY, AWS_ENDPOINT_URL), then try again.',
    cause: thrown,
  });
}

/** What the AWS SDK v3 puts on every error an AWS service answered with. */
interface AwsServiceErrorShape extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number };
}

/**
 * An AWS service that answered with an error (AccessDenied, ExpiredToken, a throttle): the
 * service's own name and message, and a hint by whose side the fault is on.
 */
function awsServiceError(thrown: unknown): ChartroomError | undefined {
  if (!(thrown instanceof Error)) return undefined;
  const fault = (thrown as Partial<AwsServiceErrorShape>).$fault;
  if (fault !== 'client' && fault !== 'server') return undefined;
  const status = (thrown as AwsServiceErrorShape).$metadata.httpStatusCode;
  return new ChartroomError(`AWS refused the request: ${thrown.name}: ${thrown.message}`, {
    code: 'aws-error',
    exitCode: ExitCode.remote,
    hint:
      fault === 'server' || status === 429
        ? 'AWS failed or throttled the request; try again in a moment.'
        : 'Check the credentials (aws sts get-caller-identity), their permissions and the region.',
    cause: thrown,
  });
}

export function isNodeSystemError(value: unknown): value is NodeSystemError {
  return value instanceof Error && typeof (value as Partial<NodeSystemError>).code === 'string';
}
