/**
 * A synthetic but realistic Kubernetes audit log, deterministic from a seed: the traffic mix of a
 * small production cluster under Falco's recommended audit policy (RequestReceived omitted,
 * RequestResponse for pods, workloads and RBAC, Metadata for the rest). Most events are the
 * controllers' and kubelets' own chatter (lease renewals, node status patches, gets, watches);
 * a few percent are the events Falco's rules are about, taken from Falco's own trace files with
 * fresh names and times, plus operations by human users.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A small, fast, seedable PRNG (mulberry32), so every run replays the same corpus. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nodes = Array.from(
  { length: 100 },
  (_, i) => `ip-10-0-${Math.floor(i / 10)}-${(i % 10) + 10}.ec2.internal`,
);
const namespaces = [
  'default',
  'kube-system',
  'payments',
  'orders',
  'search',
  'web',
  'monitoring',
  'ingress-nginx',
  'staging',
  'previews-feature-x',
];
const apps = ['api', 'web', 'worker', 'cron', 'search', 'billing', 'checkout', 'auth', 'gateway', 'mailer'];
const controllers = [
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:serviceaccount:kube-system:deployment-controller',
  'system:serviceaccount:kube-system:replicaset-controller',
  'system:serviceaccount:kube-system:endpointslice-controller',
  'system:serviceaccount:kube-system:node-controller',
  'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  'system:serviceaccount:ingress-nginx:ingress-nginx',
  'system:serviceaccount:monitoring:prometheus',
];
const humans = ['alice', 'bob', 'carol', 'deploy-bot', 'kubernetes-admin', 'minikube-user'];

export interface CorpusOptions {
  seed?: number;
  /** Where Falco's trace files are (legacy-suite/trace_files/k8s_audit). */
  traces: string;
}

/** Generates audit events as JSON lines, one call per event. */
export class AuditCorpus {
  private readonly rand: () => number;
  private readonly traces: Record<string, unknown>[];
  private counter = 0;
  private time = Date.UTC(2026, 10, 20, 8, 0, 0);

  constructor(options: CorpusOptions) {
    this.rand = random(options.seed ?? 42);
    this.traces = readdirSync(options.traces)
      .filter((f) => f.endsWith('.json') && f !== 'fal_01_003.json')
      .flatMap((f) =>
        readFileSync(join(options.traces, f), 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)] as T;
  }

  private id(): string {
    const n = (this.counter++).toString(16).padStart(12, '0');
    return `5f1c9a2e-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.padStart(12, '0')}`;
  }

  private stamps(): Record<string, string> {
    this.time += Math.floor(this.rand() * 3);
    const received = new Date(this.time);
    const micros = String(Math.floor(this.rand() * 1_000_000)).padStart(6, '0');
    const iso = received.toISOString().replace(/\.\d{3}Z$/, '');
    return {
      requestReceivedTimestamp: `${iso}.${micros}Z`,
      stageTimestamp: `${iso}.${String(Math.min(999_999, Number(micros) + 900)).padStart(6, '0')}Z`,
    };
  }

  private base(
    verb: string,
    user: string,
    groups: string[],
    objectRef: Record<string, unknown>,
    uri: string,
    code: number,
    level = 'Metadata',
    stage = 'ResponseComplete',
  ): Record<string, unknown> {
    return {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: this.id(),
      stage,
      requestURI: uri,
      verb,
      user: { username: user, uid: `uid-${user.length}`, groups },
      sourceIPs: [`10.0.${Math.floor(this.rand() * 16)}.${Math.floor(this.rand() * 250)}`],
      userAgent: user.startsWith('system:node')
        ? 'kubelet/v1.36.3 (linux/amd64) kubernetes/0000000'
        : 'kube-controller-manager/v1.36.3 (linux/amd64) kubernetes/0000000',
      objectRef,
      responseStatus: { metadata: {}, code },
      ...this.stamps(),
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        'authorization.k8s.io/reason':
          'RBAC: allowed by ClusterRoleBinding "system:controller" of ClusterRole "system:controller"',
      },
    };
  }

  private leaseRenewal(): Record<string, unknown> {
    const node = this.pick(nodes);
    const byNode = this.rand() < 0.7;
    const name = byNode
      ? node
      : this.pick([
          'kube-controller-manager',
          'kube-scheduler',
          'ingress-nginx-leader',
          'cluster-autoscaler',
        ]);
    const ns = byNode ? 'kube-node-lease' : 'kube-system';
    return this.base(
      'update',
      byNode ? `system:node:${node}` : this.pick(controllers),
      byNode ? ['system:nodes', 'system:authenticated'] : ['system:authenticated'],
      { resource: 'leases', namespace: ns, name, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}?timeout=10s`,
      200,
    );
  }

  private nodeStatus(): Record<string, unknown> {
    const node = this.pick(nodes);
    const event = this.base(
      'patch',
      `system:node:${node}`,
      ['system:nodes', 'system:authenticated'],
      { resource: 'nodes', name: node, apiVersion: 'v1', subresource: 'status' },
      `/api/v1/nodes/${node}/status?timeout=10s`,
      200,
      'RequestResponse',
    );
    event.requestObject = {
      status: {
        conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
          type,
          status: type === 'Ready' ? 'True' : 'False',
          lastHeartbeatTime: event.stageTimestamp,
          reason: `Kubelet${type}`,
          message: `kubelet has no ${type.toLowerCase()}`,
        })),
        images: Array.from({ length: 6 }, (_, i) => ({
          names: [
            `registry.example.com/${this.pick(apps)}@sha256:${i}${'a'.repeat(63)}`,
            `registry.example.com/${this.pick(apps)}:v1.${i}`,
          ],
          sizeBytes: 10_000_000 + i,
        })),
      },
    };
    return event;
  }

  private read(): Record<string, unknown> {
    const ns = this.pick(namespaces);
    const resource = this.pick([
      'configmaps',
      'secrets',
      'endpoints',
      'services',
      'pods',
      'deployments',
      'replicasets',
      'serviceaccounts',
    ]);
    const verb = this.pick(['get', 'get', 'get', 'list']);
    const name = `${this.pick(apps)}-${Math.floor(this.rand() * 50)}`;
    const group = resource === 'deployments' || resource === 'replicasets' ? 'apps' : '';
    const path =
      group === '' ? `/api/v1/namespaces/${ns}/${resource}` : `/apis/apps/v1/namespaces/${ns}/${resource}`;
    return this.base(
      verb,
      this.pick(controllers),
      ['system:authenticated'],
      { resource, namespace: ns, ...(verb === 'get' ? { name } : {}), apiGroup: group, apiVersion: 'v1' },
      verb === 'get' ? `${path}/${name}` : `${path}?limit=500`,
      this.rand() < 0.03 ? 404 : 200,
    );
  }

  private watch(): Record<string, unknown> {
    const resource = this.pick(['pods', 'nodes', 'endpointslices', 'configmaps', 'leases']);
    const started = this.rand() < 0.5;
    return this.base(
      'watch',
      this.pick(controllers),
      ['system:authenticated'],
      { resource, apiVersion: 'v1' },
      `/api/v1/${resource}?allowWatchBookmarks=true&resourceVersion=${Math.floor(this.rand() * 1e7)}&timeout=7m&watch=true`,
      200,
      'Metadata',
      started ? 'ResponseStarted' : 'ResponseComplete',
    );
  }

  private podChange(): Record<string, unknown> {
    const ns = this.pick(namespaces);
    const app = this.pick(apps);
    const verb = this.pick(['create', 'update', 'patch', 'delete']);
    const name = `${app}-${Math.floor(this.rand() * 1e6).toString(36)}`;
    const event = this.base(
      verb,
      'system:serviceaccount:kube-system:replicaset-controller',
      ['system:serviceaccounts', 'system:authenticated'],
      { resource: 'pods', namespace: ns, ...(verb === 'create' ? {} : { name }), apiVersion: 'v1' },
      `/api/v1/namespaces/${ns}/pods${verb === 'create' ? '' : `/${name}`}`,
      verb === 'create' ? 201 : 200,
      'RequestResponse',
    );
    const spec = {
      containers: [
        {
          name: app,
          image: `registry.example.com/${app}:v${Math.floor(this.rand() * 40)}`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          env: [
            { name: 'APP', value: app },
            { name: 'NS', value: ns },
          ],
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
          },
        },
        { name: 'sidecar', image: 'registry.example.com/envoy:1.31', resources: {} },
      ],
      serviceAccountName: app,
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      volumes: [
        { name: 'config', configMap: { name: `${app}-config` } },
        { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
    };
    if (verb !== 'delete') {
      event.requestObject = {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { generateName: `${app}-`, namespace: ns, labels: { app } },
        spec,
      };
      event.responseObject = {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name, namespace: ns, uid: this.id(), labels: { app } },
        spec,
        status: { phase: 'Pending' },
      };
    }
    return event;
  }

  private eventCreate(): Record<string, unknown> {
    const ns = this.pick(namespaces);
    return this.base(
      'create',
      this.pick(controllers),
      ['system:authenticated'],
      { resource: 'events', namespace: ns, apiVersion: 'v1' },
      `/api/v1/namespaces/${ns}/events`,
      201,
    );
  }

  private review(): Record<string, unknown> {
    const resource = this.pick(['tokenreviews', 'subjectaccessreviews']);
    return this.base(
      'create',
      `system:node:${this.pick(nodes)}`,
      ['system:nodes', 'system:authenticated'],
      { resource, apiGroup: 'authentication.k8s.io', apiVersion: 'v1' },
      `/apis/authentication.k8s.io/v1/${resource}`,
      201,
    );
  }

  private human(): Record<string, unknown> {
    const user = this.pick(humans);
    const ns = this.pick(namespaces);
    const resource = this.pick(['deployments', 'configmaps', 'services', 'pods', 'secrets', 'namespaces']);
    const verb = this.pick(['get', 'list', 'patch', 'create', 'delete']);
    return this.base(
      verb,
      user,
      ['system:authenticated', user === 'kubernetes-admin' ? 'system:masters' : 'developers'],
      { resource, namespace: ns, name: this.pick(apps), apiVersion: 'v1' },
      `/api/v1/namespaces/${ns}/${resource}`,
      verb === 'create' ? 201 : 200,
    );
  }

  /** One of Falco's own trace events, with a fresh ID, names and time. */
  private trace(): Record<string, unknown> {
    const event = structuredClone(this.pick(this.traces));
    Object.assign(event, { auditID: this.id() }, this.stamps());
    return event;
  }

  /** The next event, as one JSON line. */
  next(): string {
    const r = this.rand();
    let event: Record<string, unknown>;
    if (r < 0.34) event = this.leaseRenewal();
    else if (r < 0.44) event = this.nodeStatus();
    else if (r < 0.62) event = this.read();
    else if (r < 0.72) event = this.watch();
    else if (r < 0.8) event = this.podChange();
    else if (r < 0.86) event = this.eventCreate();
    else if (r < 0.91) event = this.review();
    else if (r < 0.96) event = this.human();
    else event = this.trace();
    return JSON.stringify(event);
  }
}
