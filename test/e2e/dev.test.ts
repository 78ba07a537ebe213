/**
 * chartroom dev against the shared local cluster: kwok fakes the pods, and its port-forward rules
 * point the dependency pods at real Redis and MariaDB servers on loopback, so the developer's
 * command reaches real servers through the API server's port-forwards. Swaps are checked field by
 * field, after a clean exit, after SIGKILL + `chartroom dev restore`, and after SIGKILL + the sweeper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/net.js';
import { sweepOnce } from '../../src/dev/index.js';
import { requestJson } from '../../src/kube/index.js';
import { kubectlPortForward } from '../../src/testing/port-forward.js';
import { run } from '../../src/testing/run.js';
import {
  deploymentWithService,
  forwardPodTo,
  peer,
  startMariadb,
  startRedis,
  startSession,
  type LocalServer,
} from './dev-support.js';
import { chartroom, eventually, kube, kubeconfig, ok, testNamespace } from './harness.js';

let redis: LocalServer;
let mariadb: LocalServer;

beforeAll(async () => {
  [redis, mariadb] = await Promise.all([startRedis(), startMariadb()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([redis.stop(), mariadb.stop()]);
});

/** The shop app: env from values, a ConfigMap, a Secret, and a reference to another variable. */
function shop(namespace: string): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shop-config', namespace },
      data: { FEATURE_CHECKOUT: 'on', 'db-user': 'shop' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-db', namespace },
      stringData: { password: 's3cret-pw' },
    },
    ...deploymentWithService({
      namespace,
      name: 'shop',
      port: 8080,
      container: {
        envFrom: [{ configMapRef: { name: 'shop-config' } }],
        env: [
          { name: 'REDIS_URL', value: 'redis://redis:6379/0' },
          { name: 'DB_HOST', value: `mysql.${namespace}.svc.cluster.local` },
          { name: 'DB_PORT', value: '3306' },
          { name: 'DB_USER', valueFrom: { configMapKeyRef: { name: 'shop-config', key: 'db-user' } } },
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
          { name: 'GREETING', value: 'hello from $(DB_USER)' },
        ],
        readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      },
    }),
  ];
}

async function setUp(namespace: string): Promise<void> {
  await kube().apply([
    ...deploymentWithService({ namespace, name: 'redis', port: 6379 }),
    ...deploymentWithService({ namespace, name: 'mysql', port: 3306 }),
    ...shop(namespace),
  ]);
  await Promise.all([
    forwardPodTo(namespace, 'redis', 6379, redis.port),
    forwardPodTo(namespace, 'mysql', 3306, mariadb.port),
  ]);
}

interface WireDeployment {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

async function readShop(namespace: string): Promise<WireDeployment> {
  return requestJson<WireDeployment>(kube(), {
    method: 'GET',
    path: `/apis/apps/v1/namespaces/${namespace}/deployments/shop`,
    doing: 'reading the shop',
  });
}

/** What must come back after a swap: the spec, the labels, the annotations we own none of. */
function comparable(deployment: WireDeployment): object {
  const { 'deployment.kubernetes.io/revision': _revision, ...annotations } =
    deployment.metadata.annotations ?? {};
  return { spec: deployment.spec, labels: deployment.metadata.labels ?? {}, annotations };
}

/** An HTTP GET through `kubectl port-forward svc/shop` (the API server's pods/portforward). */
async function viaService(namespace: string): Promise<string | undefined> {
  const forward = kubectlPortForward({
    kubeconfig: kubeconfig(),
    namespace,
    target: 'svc/shop',
    remotePort: 8080,
  });
  try {
    const port = await forward.port;
    if (port === undefined) return undefined;
    const response = await fetch(`http://127.0.0.1:${port}/hello`, { signal: AbortSignal.timeout(10_000) });
    return await response.text();
  } catch {
    return undefined;
  } finally {
    forward.stop();
  }
}

/** A local HTTP server on `port` that says who it is: the developer's command during a swap. */
function localServer(port: number): string[] {
  return [
    process.execPath,
    '-e',
    `require('http').createServer((q, s) => s.end('local ' + q.url + ' ' + process.env.GREETING)).listen(${port}, '127.0.0.1')`,
  ];
}

describe('chartroom dev', () => {
  it('runs a command with the pod’s environment, rewritten to forwards that reach Redis and MariaDB', async () => {
    const namespace = await testNamespace('dev');
    await setUp(namespace);

    const env = ok(await chartroom(['dev', 'env', 'shop', '-n', namespace]));
    expect(env.stdout).toContain('REDIS_URL="redis://redis:6379/0"');
    expect(env.stdout).toContain('GREETING="hello from shop"');
    expect(env.stdout).toContain('DB_PASSWORD="********"');
    expect(env.stdout).not.toContain('s3cret-pw');
    const shown = ok(
      await chartroom(['dev', 'env', 'shop', '-n', namespace, '--show-secrets', '--format', 'shell']),
    );
    expect(shown.stdout).toContain(`export DB_PASSWORD='s3cret-pw'`);

    const script = [
      'echo "REDIS_URL=$REDIS_URL DB=$DB_HOST:$DB_PORT FEATURE=$FEATURE_CHECKOUT"',
      `${peer('redis-cli')} -u "$REDIS_URL" SET greeting "$GREETING"`,
      `${peer('mariadb')} -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -p"$DB_PASSWORD" -N -e "select 6*7"`,
    ].join(' && ');
    const result = ok(
      await chartroom(['dev', 'shop', '-n', namespace, '--', 'sh', '-c', script], { timeoutMs: 120_000 }),
    );
    const line = /REDIS_URL=(\S+) DB=(\S+) FEATURE=(\S+)/.exec(result.stdout);
    expect(line?.[1]).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
    expect(line?.[2]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(line?.[3]).toBe('on');
    expect(result.stdout).toContain('OK');
    expect(result.stdout).toMatch(/^42$/m);
    // The write went through the forward to the real server.
    const direct = await run(peer('redis-cli'), ['-p', String(redis.port), 'GET', 'greeting']);
    expect(direct.stdout.trim()).toBe('hello from shop');
    expect(result.stderr).toMatch(/forward 127\.0\.0\.1:\d+ → redis\./);
    expect(result.stderr).toMatch(/env DB_PASSWORD: \*+ → \*+|ready after/);
  }, 240_000);

  it('swaps: cluster traffic reaches the local process, and exit restores the spec field by field', async () => {
    const namespace = await testNamespace('dev-swap');
    await setUp(namespace);
    const before = comparable(await readShop(namespace));
    const local = await freePort();
    const session = startSession([
      'dev',
      'shop',
      '-n',
      namespace,
      '--swap',
      '--expose',
      `8080:${local}`,
      '--',
      ...localServer(local),
    ]);
    try {
      await session.waitFor(/swap ready after/);
      const swapped = await readShop(namespace);
      expect(swapped.metadata.annotations?.['chartroom.dev/dev-original-spec']).toBeDefined();
      const answer = await eventually(
        async () => {
          const text = await viaService(namespace);
          return text?.startsWith('local') === true ? text : undefined;
        },
        { seconds: 60, what: 'the local process answering through svc/shop' },
      );
      expect(answer).toBe('local /hello hello from shop');
    } finally {
      session.child.kill('SIGINT');
    }
    expect(await session.exited).not.toBeNull();
    expect(session.stderr()).toContain('swap: restored the original workload');
    expect(comparable(await readShop(namespace))).toEqual(before);
  }, 240_000);

  it('after SIGKILL of the CLI, chartroom dev restore and (separately) the sweeper restore the workload', async () => {
    const namespace = await testNamespace('dev-kill');
    await setUp(namespace);
    const before = comparable(await readShop(namespace));

    const killedSwap = async (): Promise<void> => {
      const session = startSession(['dev', 'shop', '-n', namespace, '--swap', '--lease', '5s']);
      await session.waitFor(/swap ready after/);
      session.child.kill('SIGKILL');
      await session.exited;
      expect(
        (await readShop(namespace)).metadata.annotations?.['chartroom.dev/dev-original-spec'],
      ).toBeDefined();
    };

    await killedSwap();
    const status = ok(await chartroom(['dev', 'status', '-n', namespace, '-o', 'json']));
    expect(JSON.parse(status.stdout)).toHaveLength(1);
    const restored = ok(await chartroom(['dev', 'restore', 'shop', '-n', namespace]));
    expect(restored.stdout).toContain('restored the original workload');
    expect(comparable(await readShop(namespace))).toEqual(before);

    await killedSwap();
    // The lease (5 s) has not lapsed yet: the sweeper leaves the swap alone.
    const early = await sweepOnce({ kube: kube(), namespaces: [namespace], graceMs: 60_000, by: 'e2e' });
    expect(early.restored).toHaveLength(0);
    const swept = await eventually(
      async () => {
        const pass = await sweepOnce({
          kube: kube(),
          namespaces: [namespace],
          graceMs: 0,
          by: 'e2e sweeper',
        });
        return pass.restored.length > 0 ? pass.restored : undefined;
      },
      { seconds: 30, what: 'the sweeper restoring the lapsed swap' },
    );
    expect(swept[0]?.outcome.kind).toBe('restored');
    expect(comparable(await readShop(namespace))).toEqual(before);
  }, 240_000);
});
