/**
 * Wiring the API server to Chartroom's webhooks: audit events (for the runtime rules engine) and
 * TokenReview (for access). Both use a kubeconfig-format file naming the webhook's URL.
 */
import { stringify } from 'yaml';

/** How the API server proves itself to a webhook: a bearer token, a client certificate, or both. */
export interface WebhookCredentials {
  token?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
}

export function webhookKubeconfig(options: {
  name: string;
  url: string;
  caFile?: string;
  insecure?: boolean;
  credentials?: WebhookCredentials;
}): string {
  const cluster: Record<string, unknown> = { server: options.url };
  if (options.caFile !== undefined) cluster['certificate-authority'] = options.caFile;
  else if (options.insecure === true || options.url.startsWith('https:'))
    cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: options.name, cluster }],
    users: [{ name: 'kube-apiserver', user: webhookUser(options.credentials ?? {}) }],
    contexts: [{ name: options.name, context: { cluster: options.name, user: 'kube-apiserver' } }],
    'current-context': options.name,
  });
}

function webhookUser(credentials: WebhookCredentials): Record<string, string> {
  const user: Record<string, string> = {};
  if (credentials.token !== undefined) user.token = credentials.token;
  if (credentials.clientCertFile !== undefined) user['client-certificate'] = credentials.clientCertFile;
  if (credentials.clientKeyFile !== undefined) user['client-key'] = credentials.clientKeyFile;
  return user;
}

/**
 * What the API server sends to the audit webhook. Requests that change things and reach into pods
 * (exec, attach, port-forward) are logged with their bodies, which is what Falco's k8s audit rules
 * read; Secrets and ConfigMaps only at Metadata level so their values never leave the server;
 * the noisy read-only traffic of controllers and health checks is dropped.
 */
export function auditPolicy(): string {
  return stringify({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      {
        level: 'None',
        nonResourceURLs: ['/healthz*', '/readyz*', '/livez*', '/version', '/openapi*', '/metrics'],
      },
      {
        level: 'None',
        verbs: ['get', 'list', 'watch'],
        users: ['system:kube-scheduler', 'system:kube-controller-manager'],
      },
      { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }] },
      {
        level: 'None',
        verbs: ['get', 'list', 'watch'],
        userGroups: ['system:nodes', 'system:serviceaccounts:kube-system'],
      },
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      {
        level: 'RequestResponse',
        resources: [{ group: '', resources: ['pods/exec', 'pods/attach', 'pods/portforward'] }],
      },
      { level: 'RequestResponse', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
      { level: 'Metadata' },
    ],
  });
}
