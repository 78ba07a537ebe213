import type { ClusterFiles } from './layout.js';

/**
 * Command lines of the control plane's components, everything on 127.0.0.1. The flag sets follow
 * what kubeadm and kwokctl run, trimmed to a single-machine test cluster: no fsync in etcd, no
 * API priority and fairness limits, short node-monitor periods so node failures show quickly.
 */
export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export const serviceCidr = '10.96.0.0/16';
export const serviceIp = '10.96.0.1';
export const podCidr = '10.244.0.0/16';
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export function etcdArgs(files: ClusterFiles, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=node0',
    `--data-dir=${files.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=node0=${peer}`,
    '--unsafe-no-fsync=true',
    '--quota-backend-bytes=8589934592',
    '--auto-compaction-retention=1',
    '--log-level=warn',
  ];
}

export interface ApiserverWebhooks {
  auditWebhook?: boolean;
  tokenWebhook?: boolean;
  /** Seconds the API server caches a TokenReview answer. */
  tokenWebhookCacheTtl?: string;
}

export function apiserverArgs(files: ClusterFiles, ports: Ports, webhooks: ApiserverWebhooks): string[] {
  const args = [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--etcd-prefix=/registry',
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${files.apiserverCert}`,
    `--tls-private-key-file=${files.apiserverKey}`,
    `--client-ca-file=${files.caCert}`,
    `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`,
    `--service-account-issuer=${serviceAccountIssuer}`,
    `--api-audiences=${serviceAccountIssuer}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--enable-admission-plugins=NodeRestriction',
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    `--proxy-client-cert-file=${files.frontProxyCert}`,
    `--proxy-client-key-file=${files.frontProxyKey}`,
    `--requestheader-client-ca-file=${files.caCert}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    '--enable-priority-and-fairness=false',
    '--max-requests-inflight=0',
    '--max-mutating-requests-inflight=0',
    '--profiling=false',
    '--v=1',
  ];
  if (webhooks.auditWebhook === true) {
    args.push(
      `--audit-policy-file=${files.auditPolicy}`,
      `--audit-webhook-config-file=${files.auditWebhook}`,
      '--audit-webhook-mode=batch',
      // Deliver within a second: the runtime tests wait for alerts, not for a batch to fill.
      '--audit-webhook-batch-max-wait=1s',
      '--audit-webhook-version=audit.k8s.io/v1',
    );
  }
  if (webhooks.tokenWebhook === true) {
    args.push(
      `--authentication-token-webhook-config-file=${files.tokenWebhook}`,
      '--authentication-token-webhook-version=v1',
      `--authentication-token-webhook-cache-ttl=${webhooks.tokenWebhookCacheTtl ?? '10s'}`,
    );
  }
  return args;
}

export function controllerManagerArgs(files: ClusterFiles, ports: Ports): string[] {
  return [
    `--kubeconfig=${files.kubeconfig}`,
    `--authentication-kubeconfig=${files.kubeconfig}`,
    `--authorization-kubeconfig=${files.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    `--root-ca-file=${files.caCert}`,
    `--service-account-private-key-file=${files.saKey}`,
    `--cluster-signing-cert-file=${files.caCert}`,
    `--cluster-signing-key-file=${files.caKey}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--use-service-account-credentials=true',
    '--leader-elect=false',
    '--kube-api-qps=1000',
    '--kube-api-burst=2000',
    '--concurrent-deployment-syncs=10',
    '--concurrent-replicaset-syncs=10',
    '--node-monitor-period=5s',
    '--node-monitor-grace-period=40s',
    '--v=1',
  ];
}

export function schedulerArgs(files: ClusterFiles, ports: Ports): string[] {
  return [
    `--kubeconfig=${files.kubeconfig}`,
    `--authentication-kubeconfig=${files.kubeconfig}`,
    `--authorization-kubeconfig=${files.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    '--leader-elect=false',
    '--v=1',
  ];
}

export function kwokArgs(files: ClusterFiles, ports: Ports, dynamicKinds: readonly string[]): string[] {
  return [
    `--kubeconfig=${files.kubeconfig}`,
    `--config=${files.kwokConfig}`,
    '--manage-all-nodes=true',
    `--tls-cert-file=${files.kwokCert}`,
    `--tls-private-key-file=${files.kwokKey}`,
    '--node-ip=127.0.0.1',
    '--node-name=localhost',
    `--node-port=${ports.kwok}`,
    `--server-address=127.0.0.1:${ports.kwok}`,
    '--node-lease-duration-seconds=40',
    `--cidr=${podCidr}`,
    `--enable-crds=${dynamicKinds.join(',')}`,
  ];
}
