import { ApiException } from '@kubernetes/client-node';
import {
  ChartroomError,
  ConfigError,
  ExitCode,
  NotFoundError,
  UsageError,
  isNodeSystemError,
  toChartroomError,
} from '../core/errors.js';

/**
 * A failed Kubernetes API call, with the API's own message (never client-node's
 * ApiException text, which embeds headers and the raw body).
 */
export class KubeApiError extends ChartroomError {
  readonly status: number | undefined;
  readonly reason: string | undefined;

  constructor(options: {
    message: string;
    status?: number;
    reason?: string;
    hint?: string;
    cause?: unknown;
  }) {
    const { code, exitCode, hint } = classify(options.status, options.reason);
    super(options.message, { code, exitCode, hint: options.hint ?? hint, cause: options.cause });
    this.status = options.status;
    this.reason = options.reason;
  }
}

function classify(
  status: number | undefined,
  reason: string | undefined,
): { code: string; exitCode: number; hint: string } {
  switch (status ?? 0) {
    case 401:
      return {
        code: 'kube-unauthorized',
        exitCode: ExitCode.permission,
        hint: 'Your credentials were refused; refresh your kubeconfig or token.',
      };
    case 403:
      return {
        code: 'kube-forbidden',
        exitCode: ExitCode.permission,
        hint: 'Ask for access (chartroom access request) or use a context that has it.',
      };
    case 404:
      return {
        code: 'kube-not-found',
        exitCode: ExitCode.notFound,
        hint: 'Check the name, namespace and context.',
      };
    case 409:
      return {
        code: reason === 'AlreadyExists' ? 'kube-already-exists' : 'kube-conflict',
        exitCode: ExitCode.conflict,
        hint: 'Someone else changed it; try again.',
      };
    case 422:
      return {
        code: 'kube-invalid',
        exitCode: ExitCode.config,
        hint: 'Fix the object the API server rejected.',
      };
    case 429:
      return {
        code: 'kube-too-many-requests',
        exitCode: ExitCode.remote,
        hint: 'Retry later (a disruption budget or rate limit said no for now).',
      };
    default:
      return {
        code: 'kube-api',
        exitCode: ExitCode.remote,
        hint: 'Check that the cluster is reachable (chartroom cluster status, kubectl cluster-info).',
      };
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function parseBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return typeof body === 'object' && body !== null ? body : {};
}

/** Converts whatever client-node or fetch threw into a KubeApiError. */
export function toKubeError(error: unknown, doing: string): ChartroomError {
  if (error instanceof ChartroomError) return error;
  if (error instanceof ApiException) {
    const body = parseBody(error.body as unknown);
    return new KubeApiError({
      message: `${doing}: ${body.message ?? `HTTP ${error.code}`}`,
      status: error.code,
      reason: body.reason,
      cause: error,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  const refused = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up|ECONNRESET/.test(text);
  return new KubeApiError({
    message: `${doing}: ${refused ? 'the API server could not be reached' : text}`,
    cause: error,
  });
}

/**
 * A kubeconfig that cannot be read or parsed is the user's file at fault, not the cluster: it gets
 * the file's own error (exit 4, 8, 2 or 3), not "check that the cluster is reachable".
 */
export function kubeconfigError(error: unknown, path: string): ChartroomError {
  if (isNodeSystemError(error)) {
    const file = error.path ?? path;
    if (error.code === 'ENOENT')
      return new NotFoundError(
        `no kubeconfig at ${file}`,
        'Check the path given to --kubeconfig or in KUBECONFIG; for a local cluster: chartroom cluster up.',
        error,
      );
    if (error.code === 'EISDIR')
      return new UsageError(
        `${file} is a folder, not a kubeconfig`,
        'Pass the kubeconfig file itself.',
        error,
      );
    if (error.code === 'EACCES' || error.code === 'EPERM')
      return toChartroomError(Object.assign(error, { path: file }));
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ConfigError(
    `${path} is not a valid kubeconfig: ${text.split('\n')[0] ?? text}`,
    'Fix the file; `kubectl config view --kubeconfig FILE` shows what kubectl makes of it.',
    error,
  );
}

export function isNotFound(error: unknown): boolean {
  return (
    (error instanceof KubeApiError && error.status === 404) ||
    (error instanceof ApiException && error.code === 404)
  );
}
