import { join } from 'node:path';
import { cacheRoot } from '../core/peers.js';

/** Where one local cluster keeps its PKI, data, logs and state: `<cache>/clusters/<name>/`. */
export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'clusters', name);
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
