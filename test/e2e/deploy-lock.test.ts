/**
 * One deploy per release at a time (a Lease in the cluster), and signals reaching Helm: a second
 * deploy fails clearly or waits; Ctrl-C of the first stops its Helm with SIGTERM, which marks the
 * release failed; the waiting deploy then takes the lock and deploys.
 */
import { describe, expect, it } from 'vitest';
import type { V1Lease } from '../../src/kube/index.js';
import {
  events,
  deployArgs,
  jsonDeployArgs,
  releaseStatuses,
  runDeploy,
  sandbox,
  slowRollout,
  startDeploy,
  until,
  waitForStatus,
} from './deploy-support/app.js';
import { kube, kubectl, ok, testNamespace } from './harness.js';

describe('one deploy per release at a time', () => {
  it('a second deploy fails clearly or waits; SIGINT stops the first (Helm marks the release failed) and the second goes on', async () => {
    const ns = await testNamespace('deploy-lock');
    const box = sandbox();
    const base = jsonDeployArgs(ns);

    const first = startDeploy([...base, '--timeout', '3m', ...slowRollout], box.env);
    await waitForStatus(ns, /^1:pending-install$/);
    await until(
      first,
      (stdout) => events(stdout).some((e) => e.type === 'progress'),
      'the first deploy tracking its rollout',
    );

    // With --lock-timeout 0s the second deploy fails at once, saying who holds the release.
    const refused = await runDeploy(deployArgs(ns, '--lock-timeout', '0s'), box.env);
    expect(refused.code).toBe(9);
    expect(refused.stderr).toMatch(
      new RegExp(
        `error: release webapp in ${ns} is being deployed by e2e@chartroom \\(webapp staging, .*pid ${first.child.pid ?? 0} on `,
      ),
    );
    expect(refused.stderr).toContain(
      'hint: Wait for that deploy to finish, or pass --lock-timeout 10m to queue behind it.',
    );

    // By default it waits in line.
    const second = startDeploy(base, box.env);
    await until(
      second,
      (stdout) => events(stdout).some((e) => e.type === 'lock-wait'),
      'the second deploy waiting for the lock',
    );
    expect(await releaseStatuses(ns)).toEqual(['1:pending-install']);

    // Ctrl-C on the first: Helm gets SIGTERM, marks the release failed, the lock is released.
    process.kill(first.child.pid ?? 0, 'SIGINT');
    expect(await first.exited).toBe(130);
    const firstDone = events(first.stdout()).find((e) => e.type === 'done') as
      { result: { status: string; releaseStatus: string } } | undefined;
    expect(firstDone?.result).toMatchObject({ status: 'interrupted', releaseStatus: 'failed' });
    expect(events(first.stdout()).some((e) => e.type === 'stopping')).toBe(true);

    expect(await second.exited).toBe(0);
    const done = events(second.stdout()).find((e) => e.type === 'done') as
      { result: { status: string; revision: number } } | undefined;
    expect(done?.result).toMatchObject({ status: 'succeeded', revision: 2 });
    // Helm marks the failed revision superseded once a later one deploys.
    expect(await releaseStatuses(ns)).toEqual(['1:superseded', '2:deployed']);

    const lease = await kube().get<V1Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: 'chartroom-deploy-webapp',
      namespace: ns,
    });
    expect(lease?.spec?.holderIdentity).toBeUndefined();
    const history = await runDeploy(['--output', 'json', 'deploy', 'history', '--namespace', ns], box.env);
    expect((JSON.parse(history.stdout) as { result: string }[]).map((row) => row.result)).toEqual([
      'succeeded',
      'interrupted',
    ]);
  });

  it('takes over a lock whose holder stopped renewing it, and respects one that is alive', async () => {
    const ns = await testNamespace('deploy-lease');
    const box = sandbox();
    const lease = (renewed: Date, host: string): object => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'chartroom-deploy-webapp',
        namespace: ns,
        annotations: {
          'chartroom.dev/deploy-holder': JSON.stringify({
            id: `${host}/4242/x`,
            who: 'ci@runner-7',
            host,
            bootId: 'other-boot',
            pid: 4242,
            app: 'webapp',
            env: 'staging',
            startedAt: renewed.toISOString(),
          }),
        },
      },
      spec: {
        holderIdentity: `${host}/4242/x`,
        leaseDurationSeconds: 20,
        acquireTime: renewed.toISOString().replace('Z', '000Z'),
        renewTime: renewed.toISOString().replace('Z', '000Z'),
      },
    });
    // kubectl, not client-node: the MicroTime fields go as written.
    const put = async (value: object): Promise<void> => {
      ok(await kubectl(['apply', '-f', '-'], { input: JSON.stringify(value) }));
    };
    // Alive on another machine (renewed just now): refused, naming it.
    await put(lease(new Date(), 'runner-7'));
    const refused = await runDeploy(deployArgs(ns, '--lock-timeout', '0s'), box.env);
    expect(refused.code).toBe(9);
    expect(refused.stderr).toContain(
      'is being deployed by ci@runner-7 (webapp staging, pid 4242 on runner-7',
    );

    // Not renewed for minutes: expired, taken over.
    await kube().delete({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: 'chartroom-deploy-webapp',
      namespace: ns,
    });
    await put(lease(new Date(Date.now() - 5 * 60_000), 'runner-7'));
    const result = await runDeploy(deployArgs(ns, '--lock-timeout', '0s'), box.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'took over the deploy lock of a deploy that stopped (its lock expired: ci@runner-7',
    );
  });
});
