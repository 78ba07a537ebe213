/**
 * The ExecCredential a client-go exec plugin prints. kubectl insists the apiVersion equals the
 * kubeconfig's `exec.apiVersion`, and tells the plugin which one it wants in KUBERNETES_EXEC_INFO.
 */
const supportedVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
export const defaultExecApiVersion = 'client.authentication.k8s.io/v1beta1';

export interface ExecInfo {
  apiVersion: string;
  interactive: boolean;
}

/** Reads KUBERNETES_EXEC_INFO; anything missing, malformed or unknown means v1beta1. */
export function readExecInfo(env: NodeJS.ProcessEnv): ExecInfo {
  const raw = env.KUBERNETES_EXEC_INFO;
  if (raw === undefined || raw === '') return { apiVersion: defaultExecApiVersion, interactive: false };
  try {
    const parsed = JSON.parse(raw) as { apiVersion?: unknown; spec?: { interactive?: unknown } };
    const apiVersion =
      typeof parsed.apiVersion === 'string' && supportedVersions.includes(parsed.apiVersion)
        ? parsed.apiVersion
        : defaultExecApiVersion;
    return { apiVersion, interactive: parsed.spec?.interactive === true };
  } catch {
    return { apiVersion: defaultExecApiVersion, interactive: false };
  }
}

/** Compact JSON in aws-iam-authenticator's field order, timestamp in RFC 3339 whole seconds. */
export function formatExecCredential(options: {
  apiVersion: string;
  token: string;
  expiration: Date;
  interactive?: boolean;
}): string {
  return JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: options.apiVersion,
    spec: { interactive: options.interactive ?? false },
    status: {
      expirationTimestamp: options.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      token: options.token,
    },
  });
}

/**
 * What `chartroom access token` prints for a token: the token alone with --token-only, else the
 * ExecCredential in the version kubectl asked for. Shared by the CLI and the launcher's warm path,
 * whose outputs must be the same bytes.
 */
export function tokenCommandOutput(options: {
  token: string;
  expiration: Date;
  tokenOnly: boolean;
  env: NodeJS.ProcessEnv;
}): string {
  if (options.tokenOnly) return options.token + '\n';
  const info = readExecInfo(options.env);
  return (
    formatExecCredential({
      apiVersion: info.apiVersion,
      token: options.token,
      expiration: options.expiration,
      interactive: info.interactive,
    }) + '\n'
  );
}
