import { describe, expect, it } from 'vitest';
import { planDependencies, toServiceInfo, type ServiceInfo, type ServiceLookup } from './deps.js';
import { findHosts } from './env/hosts.js';
import { formatEnv } from './env/format.js';
import type { EnvEntry } from './env/resolve.js';
import { rewriteEnv } from './env/rewrite.js';
import { serviceLinkVariables } from './env/service-links.js';

function service(namespace: string, name: string, spec: Record<string, unknown>): ServiceInfo {
  return toServiceInfo({ metadata: { namespace, name }, spec: { selector: { app: name }, ...spec } });
}

const services = [
  service('shop', 'redis', { clusterIP: '10.96.0.10', ports: [{ name: 'redis', port: 6379 }] }),
  service('shop', 'mariadb', { clusterIP: '10.96.0.11', ports: [{ name: 'mysql', port: 3306 }] }),
  service('shop', 'api', {
    clusterIP: '10.96.0.12',
    ports: [
      { name: 'http', port: 80 },
      { name: 'grpc', port: 9090 },
    ],
  }),
  service('shop', 'kafka', { clusterIP: 'None', ports: [{ name: 'broker', port: 9092 }] }),
  service('shop', 'legacy-db', { type: 'ExternalName', externalName: 'db.corp.example.com', ports: [] }),
  service('shop', 'manual', { clusterIP: '10.96.0.13', selector: {}, ports: [{ port: 5432 }] }),
  service('billing', 'ledger', { clusterIP: '10.96.1.1', ports: [{ name: 'http', port: 8080 }] }),
  // Also a Service named like a log level, to prove plain words are not taken for hosts.
  service('shop', 'info', { clusterIP: '10.96.0.14', ports: [{ port: 80 }] }),
];

const lookup: ServiceLookup = {
  get: (namespace, name) =>
    Promise.resolve(services.find((item) => item.namespace === namespace && item.name === name)),
};

function entry(name: string, value: string, extra: Partial<EnvEntry> = {}): EnvEntry {
  return { name, value, origin: { kind: 'value' }, secret: false, ...extra };
}

describe('finding hosts in values', () => {
  it('reads URLs, host lists and host:port values with their offsets', () => {
    const value = 'jdbc:mysql://mariadb:3306/shop?x=1';
    const [found] = findHosts(value);
    expect(found).toMatchObject({ host: 'mariadb', port: 3306, scheme: 'mysql' });
    expect(value.slice(found?.start, found?.end)).toBe('mariadb:3306');
    expect(findHosts('mongodb://u:p@a:27017,b:27018/db').map((h) => [h.host, h.port])).toEqual([
      ['a', 27017],
      ['b', 27018],
    ]);
    expect(findHosts('kafka-0.kafka:9092, kafka-1.kafka:9092').map((h) => h.host)).toEqual([
      'kafka-0.kafka',
      'kafka-1.kafka',
    ]);
    expect(findHosts('redis://:p%40ss@redis/0')).toMatchObject([
      { host: 'redis', port: undefined, scheme: 'redis' },
    ]);
    expect(findHosts('10.0.0.1:80')).toEqual([]);
    expect(findHosts('Hello World')).toEqual([]);
  });
});

describe('dependency plan and rewrite', () => {
  const env: EnvEntry[] = [
    entry('REDIS_URL', 'redis://:pw@redis:6379/0'),
    entry('DB_HOST', 'mariadb.shop.svc.cluster.local'),
    entry('DB_PORT', '3306'),
    entry('DATABASE_URL', 'mysql://app:s3cr3t@mariadb/shop', { secret: true }),
    entry('API', 'http://api'),
    entry('API_GRPC', 'api.shop.svc:9090'),
    entry('LEDGER_URL', 'http://ledger.billing:8080/v1'),
    entry('BROKERS', 'kafka-0.kafka:9092,kafka-1.kafka.shop.svc.cluster.local:9092'),
    entry('LEGACY', 'postgres://legacy-db:5432/x'),
    entry('MANUAL', 'manual:5432'),
    entry('LOG_LEVEL', 'info'),
    entry('WRONG_PORT', 'redis:1234'),
    ...serviceLinkVariables({
      namespace: 'shop',
      name: 'redis',
      clusterIP: '10.96.0.10',
      ports: [{ name: 'redis', port: 6379 }],
    }).map(([name, value]) => entry(name, value, { origin: { kind: 'serviceLink', service: 'REDIS' } })),
  ];

  it('forwards what the env names and rewrites every reference', async () => {
    const plan = await planDependencies({
      env,
      namespace: 'shop',
      clusterDomain: 'cluster.local',
      declared: [],
      scan: true,
      services: lookup,
    });
    expect(plan.forwards.map((target) => target.key).sort()).toEqual([
      'billing/ledger:8080',
      'shop/api:80',
      'shop/api:9090',
      'shop/kafka/kafka-0:9092',
      'shop/kafka/kafka-1:9092',
      'shop/mariadb:3306',
      'shop/redis:6379',
    ]);
    expect(plan.notes.join('\n')).toMatch(/manual has no selector/);
    expect(plan.notes.join('\n')).toMatch(/WRONG_PORT names redis:1234, which is not one of its ports/);

    const localPorts = new Map(plan.forwards.map((target, index) => [target.key, 40000 + index]));
    const port = (key: string) => String(localPorts.get(key));
    const result = rewriteEnv({
      env,
      namespace: 'shop',
      plan,
      localPorts,
      apiServer: { host: '127.0.0.1', port: 6443 },
    });
    const after = Object.fromEntries(result.env.map((e) => [e.name, e.value]));
    expect(after).toMatchObject({
      REDIS_URL: `redis://:pw@127.0.0.1:${port('shop/redis:6379')}/0`,
      DB_HOST: '127.0.0.1',
      DB_PORT: port('shop/mariadb:3306'),
      DATABASE_URL: `mysql://app:s3cr3t@127.0.0.1:${port('shop/mariadb:3306')}/shop`,
      API: `http://127.0.0.1:${port('shop/api:80')}`,
      API_GRPC: `127.0.0.1:${port('shop/api:9090')}`,
      LEDGER_URL: `http://127.0.0.1:${port('billing/ledger:8080')}/v1`,
      BROKERS: `127.0.0.1:${port('shop/kafka/kafka-0:9092')},127.0.0.1:${port('shop/kafka/kafka-1:9092')}`,
      LEGACY: 'postgres://db.corp.example.com:5432/x',
      MANUAL: 'manual:5432',
      LOG_LEVEL: 'info',
      WRONG_PORT: 'redis:1234',
      REDIS_SERVICE_HOST: '127.0.0.1',
      REDIS_SERVICE_PORT: port('shop/redis:6379'),
      REDIS_SERVICE_PORT_REDIS: port('shop/redis:6379'),
      REDIS_PORT: `tcp://127.0.0.1:${port('shop/redis:6379')}`,
      REDIS_PORT_6379_TCP_PORT: port('shop/redis:6379'),
    });
    expect(result.changes.find((change) => change.name === 'DATABASE_URL')?.secret).toBe(true);
  });

  it('follows chartroom.yaml: declared services are forwarded, only their variables rewritten without a scan', async () => {
    const plan = await planDependencies({
      env,
      namespace: 'shop',
      clusterDomain: 'cluster.local',
      declared: [{ service: 'redis', env: ['REDIS_URL', 'NOT_THERE'] }, { service: 'mariadb' }],
      scan: false,
      services: lookup,
    });
    expect(plan.forwards.map((target) => target.key).sort()).toEqual([
      'shop/mariadb:3306',
      'shop/redis:6379',
    ]);
    expect([...new Set(plan.references.map((ref) => ref.variable))].sort()).toEqual([
      'DATABASE_URL',
      'DB_HOST',
      'REDIS_URL',
    ]);
    expect(plan.notes).toContain('NOT_THERE is declared for redis but names no host of it: left as is');
  });

  it('warns when a bare host’s forward could not take the Service’s own port', async () => {
    const plan = await planDependencies({
      env: [entry('CACHE_HOST', 'redis')],
      namespace: 'shop',
      clusterDomain: 'cluster.local',
      declared: [],
      scan: true,
      services: lookup,
    });
    const result = rewriteEnv({
      env: [entry('CACHE_HOST', 'redis')],
      namespace: 'shop',
      plan,
      localPorts: new Map([['shop/redis:6379', 51000]]),
      apiServer: undefined,
    });
    expect(result.env[0]?.value).toBe('127.0.0.1');
    expect(result.warnings[0]).toMatch(/listens on 127.0.0.1:51000, not 6379/);
  });
});

describe('env output formats', () => {
  const entries = [
    entry('PLAIN', 'a b'),
    entry('QUOTES', 'say "hi" \\ it\'s'),
    entry('MULTI', 'line1\nline2'),
    entry('PASSWORD', 'hunter2', { secret: true }),
  ];
  it('quotes for dotenv and shells, masks secrets unless asked', () => {
    const dotenv = formatEnv(entries, { format: 'dotenv', showSecrets: false, header: ['from the cluster'] });
    expect(dotenv.text).toBe(
      '# from the cluster\nPLAIN="a b"\nQUOTES="say \\"hi\\" \\\\ it\'s"\nMULTI="line1\\nline2"\nPASSWORD="********"\n',
    );
    expect(dotenv.masked).toBe(1);
    const shell = formatEnv(entries, { format: 'shell', showSecrets: true });
    expect(shell.text).toContain(`export QUOTES='say "hi" \\ it'\\''s'`);
    expect(shell.text).toContain("export PASSWORD='hunter2'");
    const docker = formatEnv(entries, { format: 'docker', showSecrets: true });
    expect(docker.skipped).toEqual(['MULTI']);
    expect(JSON.parse(formatEnv(entries, { format: 'json', showSecrets: false }).text)).toMatchObject({
      PASSWORD: '********',
      MULTI: 'line1\nline2',
    });
  });
});
