/**
 * The kubeconfig entries for one cluster and role: a cluster, a user whose exec plugin is
 * `chartroom access token`, and a context tying them together. One context per (cluster, role),
 * so `kubectl --context prod-admin` and `--context prod` use different IAM roles.
 */
export interface KubeconfigTarget {
  /** Catalog name of the cluster (also the context name's stem). */
  cluster: string;
  server: string;
  certificateAuthorityData?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  region: string;
  /** What tokens are signed for (x-k8s-aws-id). */
  tokenClusterId: string;
  role?: { name: string; arn: string };
}

export interface ExecSettings {
  /** The plugin command; default `chartroom`. */
  command?: string;
  /** Arguments before `access token …` (e.g. a script path when command is `node`). */
  commandArgs?: readonly string[];
  /** An AWS profile to pin in the user's env. */
  profile?: string;
}

export interface KubeconfigEntries {
  contextName: string;
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: { exec: Record<string, unknown> } };
  context: { name: string; context: { cluster: string; user: string } };
}

export function kubeconfigEntries(target: KubeconfigTarget, exec: ExecSettings = {}): KubeconfigEntries {
  const contextName = target.role === undefined ? target.cluster : `${target.cluster}-${target.role.name}`;
  const clusterName = `chartroom-${target.cluster}`;
  const userName = `chartroom-${contextName}`;
  const args = [
    ...(exec.commandArgs ?? []),
    'access',
    'token',
    '--cluster-id',
    target.tokenClusterId,
    '--region',
    target.region,
    ...(target.role === undefined ? [] : ['--role', target.role.arn]),
  ];
  return {
    contextName,
    cluster: {
      name: clusterName,
      cluster: {
        server: target.server,
        ...(target.certificateAuthorityData === undefined
          ? {}
          : { 'certificate-authority-data': target.certificateAuthorityData.replace(/\s+/g, '') }),
        ...(target.certificateAuthority === undefined
          ? {}
          : { 'certificate-authority': target.certificateAuthority }),
        ...(target.insecureSkipTlsVerify === true ? { 'insecure-skip-tls-verify': true } : {}),
      },
    },
    user: {
      name: userName,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: exec.command ?? 'chartroom',
          args,
          ...(exec.profile === undefined ? {} : { env: [{ name: 'AWS_PROFILE', value: exec.profile }] }),
          // MFA and SSO prompts need the terminal; kubectl passes it when there is one.
          interactiveMode: 'IfAvailable',
          provideClusterInfo: false,
          installHint:
            'chartroom is needed to log in to this cluster: npm install -g chartroom (see docs/access.md).',
        },
      },
    },
    context: { name: contextName, context: { cluster: clusterName, user: userName } },
  };
}
