import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { cacheRoot } from '../core/peers.js';

/** `<name>-worker-<i>` must stay a 63-character DNS label (kwok's hostname label), so 50 is the most. */
const clusterNamePattern = /^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/;

/**
 * A cluster's name becomes a folder under the cache that `up` and `down` delete recursively, and
 * the prefix of its node names. So it must be a plain DNS label: `..`, `a/b` or an empty name would
 * point the deletion at the cache itself or above it.
 */
function checkClusterName(name: string): string {
  if (!clusterNamePattern.test(name))
    throw new UsageError(
      `invalid cluster name "${name}"`,
      'Use at most 50 lowercase letters, digits and dashes, starting and ending with a letter or digit, e.g. dev-1.',
    );
  return name;
}

/** Where one local cluster keeps its PKI, data, logs and state: `<cache>/clusters/<name>/`. */
export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'clusters', checkClusterName(name));
}

export function clusterFiles(dir: string) {
  const pki = join(dir, 'pki');
  return {
    dir,
    state: join(dir, 'state.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    pki,
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    apiserverCert: join(pki, 'apiserver.crt'),
    apiserverKey: join(pki, 'apiserver.key'),
    adminCert: join(pki, 'admin.crt'),
    adminKey: join(pki, 'admin.key'),
    frontProxyCert: join(pki, 'front-proxy-client.crt'),
    frontProxyKey: join(pki, 'front-proxy-client.key'),
    kwokCert: join(pki, 'kwok.crt'),
    kwokKey: join(pki, 'kwok.key'),
    saKey: join(pki, 'sa.key'),
    saPub: join(pki, 'sa.pub'),
    etcdData: join(dir, 'etcd'),
    logs: join(dir, 'logs'),
    kwokConfig: join(dir, 'kwok.yaml'),
    auditPolicy: join(dir, 'audit-policy.yaml'),
    auditWebhook: join(dir, 'audit-webhook.kubeconfig'),
    tokenWebhook: join(dir, 'token-webhook.kubeconfig'),
  };
}

export type ClusterFiles = ReturnType<typeof clusterFiles>;
