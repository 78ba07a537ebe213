import { describe, expect, it } from 'vitest';
import type { V1Container } from '../../kube/index.js';
import { expandReferences } from './expand.js';
import { resolveContainerEnv, type EnvSources, type PodFacts } from './resolve.js';
import { serviceLinkVariables } from './service-links.js';

const pod: PodFacts = {
  name: 'web-7d9f-abcde',
  namespace: 'shop',
  uid: 'uid-1',
  labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
  annotations: { team: 'checkout' },
  nodeName: 'node-1',
  serviceAccountName: 'web',
  podIP: '127.0.0.1',
  hostIP: '127.0.0.1',
  nodeAllocatable: { cpu: '4', memory: '16Gi' },
};

const sources: EnvSources = {
  configMap: (_namespace, name) =>
    Promise.resolve({
      settings: { LOG_LEVEL: 'debug', REDIS_URL: 'redis://redis:6379/0', 'bad=key': 'x' },
      other: { LOG_LEVEL: 'info', EXTRA: 'yes' },
    } as Record<string, Record<string, string>>).then((all) => all[name]),
  secret: (_namespace, name) =>
    Promise.resolve({ db: { password: 's3cr3t', user: 'app' } } as Record<
      string,
      Record<string, string>
    >).then((all) => all[name]),
  linkServices: () =>
    Promise.resolve([
      { namespace: 'shop', name: 'redis', clusterIP: '10.96.0.10', ports: [{ name: 'redis', port: 6379 }] },
      { namespace: 'shop', name: 'headless', clusterIP: 'None', ports: [{ port: 80 }] },
      {
        namespace: 'default',
        name: 'kubernetes',
        clusterIP: '10.96.0.1',
        ports: [{ name: 'https', port: 443 }],
      },
      { namespace: 'other', name: 'elsewhere', clusterIP: '10.96.0.20', ports: [{ port: 80 }] },
    ]),
};

const resolve = (container: Partial<V1Container>, enableServiceLinks?: boolean) =>
  resolveContainerEnv({
    namespace: 'shop',
    podSpec: { containers: [], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
    container: { name: 'web', ...container },
    pod,
    sources,
  });

const asMap = (entries: Awaited<ReturnType<typeof resolve>>) =>
  Object.fromEntries(entries.map((entry) => [entry.name, entry.value]));

describe('$(VAR) expansion, as the kubelet does it', () => {
  const vars: Record<string, string> = { A: 'alpha', EMPTY: '' };
  const lookup = (name: string) => vars[name];
  it.each([
    ['$(A)', 'alpha'],
    ['x-$(A)-y', 'x-alpha-y'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$alpha'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['trailing $', 'trailing $'],
    ['$()', '$()'],
    ['$(EMPTY)!', '!'],
    ['$(A)$(A)', 'alphaalpha'],
  ])('%s → %s', (input, output) => {
    expect(expandReferences(input, lookup)).toBe(output);
  });
});

describe('container environment', () => {
  it('applies envFrom in order with prefixes, then env, then link variables nobody set', async () => {
    const entries = await resolve({
      envFrom: [{ configMapRef: { name: 'settings' } }, { configMapRef: { name: 'other' }, prefix: 'O_' }],
      env: [
        { name: 'LOG_LEVEL', value: 'warn' },
        { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'DSN', value: 'mysql://$(DB_USER):$(DB_PASSWORD)@db:3306/$(DB_NAME)' },
        { name: 'CACHE', value: '$(REDIS_SERVICE_HOST):$(REDIS_SERVICE_PORT)' },
        { name: 'REDIS_SERVICE_PORT', value: 'overridden' },
        { name: 'EMPTY' },
      ],
    });
    const env = asMap(entries);
    expect(env).toMatchObject({
      LOG_LEVEL: 'warn',
      REDIS_URL: 'redis://redis:6379/0',
      O_LOG_LEVEL: 'info',
      O_EXTRA: 'yes',
      DB_USER: 'app',
      DB_PASSWORD: 's3cr3t',
      DSN: 'mysql://app:s3cr3t@db:3306/$(DB_NAME)',
      CACHE: '10.96.0.10:6379',
      REDIS_SERVICE_PORT: 'overridden',
      REDIS_SERVICE_HOST: '10.96.0.10',
      REDIS_PORT: 'tcp://10.96.0.10:6379',
      REDIS_PORT_6379_TCP_ADDR: '10.96.0.10',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      EMPTY: '',
    });
    expect(env).not.toHaveProperty('bad=key');
    expect(
      Object.keys(env).some((name) => name.startsWith('HEADLESS_') || name.startsWith('ELSEWHERE_')),
    ).toBe(false);
    expect(entries.find((entry) => entry.name === 'DB_PASSWORD')).toMatchObject({
      secret: true,
      origin: { kind: 'secret', name: 'db', key: 'password' },
    });
    // A value built from a secret is not itself marked (the kubelet does not track that either).
    expect(entries.find((entry) => entry.name === 'DSN')?.secret).toBe(false);
  });

  it('keeps only the kubernetes Service links when enableServiceLinks is false', async () => {
    const env = asMap(await resolve({}, false));
    expect(Object.keys(env).filter((name) => name.startsWith('REDIS_'))).toEqual([]);
    expect(env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('reads pod fields and resources like the downward API', async () => {
    const env = asMap(
      await resolve({
        resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m' } },
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
          { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
          { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          {
            name: 'MEM_LIM_MI',
            valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
          },
          { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        ],
      }),
    );
    expect(env).toMatchObject({
      POD_NAME: 'web-7d9f-abcde',
      POD_NS: 'shop',
      POD_IP: '127.0.0.1',
      APP: 'web',
      TEAM: 'checkout',
      NODE: 'node-1',
      SA: 'web',
      CPU_REQ: '1',
      CPU_REQ_M: '250',
      CPU_LIM: '2',
      // No memory limit: the node's allocatable, as the kubelet reports it.
      MEM_LIM_MI: String(16 * 1024),
      MEM_REQ: String(64 * 1024 * 1024),
    });
  });

  it('fails like the kubelet on missing references, and skips optional ones', async () => {
    await expect(
      resolve({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'nope' } } }] }),
    ).rejects.toThrow('env X: Secret shop/db has no key nope');
    await expect(resolve({ envFrom: [{ configMapRef: { name: 'absent' } }] })).rejects.toThrow(
      'ConfigMap shop/absent does not exist',
    );
    const env = asMap(
      await resolve({
        envFrom: [{ secretRef: { name: 'absent', optional: true } }],
        env: [
          { name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
        ],
      }),
    );
    expect(env).not.toHaveProperty('X');
  });
});

describe('service link variables', () => {
  it('match the kubelet’s names, including named and extra ports', () => {
    expect(
      Object.fromEntries(
        serviceLinkVariables({
          namespace: 'shop',
          name: 'my-db',
          clusterIP: '10.0.0.5',
          ports: [
            { name: 'mysql', port: 3306 },
            { name: 'metrics-http', port: 9104, protocol: 'TCP' },
            { name: 'dns', port: 53, protocol: 'UDP' },
          ],
        }),
      ),
    ).toEqual({
      MY_DB_SERVICE_HOST: '10.0.0.5',
      MY_DB_SERVICE_PORT: '3306',
      MY_DB_SERVICE_PORT_MYSQL: '3306',
      MY_DB_SERVICE_PORT_METRICS_HTTP: '9104',
      MY_DB_SERVICE_PORT_DNS: '53',
      MY_DB_PORT: 'tcp://10.0.0.5:3306',
      MY_DB_PORT_3306_TCP: 'tcp://10.0.0.5:3306',
      MY_DB_PORT_3306_TCP_PROTO: 'tcp',
      MY_DB_PORT_3306_TCP_PORT: '3306',
      MY_DB_PORT_3306_TCP_ADDR: '10.0.0.5',
      MY_DB_PORT_9104_TCP: 'tcp://10.0.0.5:9104',
      MY_DB_PORT_9104_TCP_PROTO: 'tcp',
      MY_DB_PORT_9104_TCP_PORT: '9104',
      MY_DB_PORT_9104_TCP_ADDR: '10.0.0.5',
      MY_DB_PORT_53_UDP: 'udp://10.0.0.5:53',
      MY_DB_PORT_53_UDP_PROTO: 'udp',
      MY_DB_PORT_53_UDP_PORT: '53',
      MY_DB_PORT_53_UDP_ADDR: '10.0.0.5',
    });
  });
});
