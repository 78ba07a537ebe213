/**
 * Deploys that die hard. A SIGKILL of the whole job (chartroom and its helm, as a CI runner
 * cancelling a job does) leaves the release pending-*; the next deploy recovers it — rollback to
 * the last deployed revision, or uninstall of a first install that never completed — and says
 * so. A SIGKILL of chartroom alone reaches helm as SIGTERM, so helm stops at once and usually
 * marks the release failed (see the last test for when it cannot).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  type DeployProcess,
} from './deploy-support/app.js';
import { eventually, testNamespace } from './harness.js';

/** Waits until the tracker of a running deploy reports its Deployment rolling out (Helm is waiting). */
async function midRollout(run: DeployProcess): Promise<void> {
  await until(
    run,
    (stdout) =>
      events(stdout).some(
        (e) =>
          e.type === 'progress' &&
          (e.workloads as { ref: { kind: string }; updated: number }[]).some(
            (w) => w.ref.kind === 'Deployment' && w.updated > 0,
          ),
      ),
    'the deploy mid-rollout',
    120,
  );
}

function killGroup(run: DeployProcess): Promise<number | null> {
  process.kill(-(run.child.pid ?? 0), 'SIGKILL');
  return run.exited;
}

describe('recovering releases left pending by killed deploys', () => {
  it('rolls a pending upgrade back to the last deployed revision, then deploys', async () => {
    const ns = await testNamespace('deploy-recover');
    const box = sandbox();
    const base = jsonDeployArgs(ns);
    expect((await runDeploy(base, box.env)).code).toBe(0);

    const killed = startDeploy([...base, '--timeout', '3m', ...slowRollout], box.env);
    await midRollout(killed);
    await killGroup(killed);
    // Nobody told Helm: the release stays pending.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await releaseStatuses(ns)).toEqual(['1:deployed', '2:pending-upgrade']);

    const next = await runDeploy(deployArgs(ns, '--lock-timeout', '0s'), box.env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      'took over the deploy lock of a deploy that stopped (its process is gone: e2e@chartroom',
    );
    expect(next.stderr).toMatch(
      /recovered: release webapp was stuck in pending-upgrade at revision 2, left by a deploy that stopped \(its process is gone\): e2e@chartroom .*; rolled back to revision 1 \(now revision 3\)/,
    );
    expect(next.stderr).toContain(`✓ deployed webapp to staging: release webapp revision 4 in ${ns}`);
    // Helm's rollback leaves the abandoned record as it was; only the latest record gates upgrades.
    expect(await releaseStatuses(ns)).toEqual([
      '1:superseded',
      '2:pending-upgrade',
      '3:superseded',
      '4:deployed',
    ]);

    const history = await runDeploy(['--output', 'json', 'deploy', 'history', '--namespace', ns], box.env);
    const rows = JSON.parse(history.stdout) as {
      result: string;
      revision: number | null;
      recovery: { action: string; toRevision: number } | null;
    }[];
    expect(rows.map((row) => row.result)).toEqual(['succeeded', 'abandoned', 'succeeded']);
    expect(rows[0]?.recovery).toMatchObject({ action: 'rollback', toRevision: 1 });
  });

  it('uninstalls a first install that never completed, then installs', async () => {
    const ns = await testNamespace('deploy-recover');
    const box = sandbox();
    const killed = startDeploy(jsonDeployArgs(ns, ...slowRollout), box.env);
    await midRollout(killed);
    await killGroup(killed);
    expect(await releaseStatuses(ns)).toEqual(['1:pending-install']);

    const next = await runDeploy(deployArgs(ns), box.env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      /recovered: release webapp was stuck in pending-install at revision 1, .*; uninstalled it \(its first install never completed\)/,
    );
    expect(await releaseStatuses(ns)).toEqual(['1:deployed']);
  });

  it('a SIGKILL of chartroom alone still reaches helm, as SIGTERM: helm stops and records the release failed', async () => {
    const ns = await testNamespace('deploy-recover');
    const box = sandbox();
    const run = startDeploy(jsonDeployArgs(ns, ...slowRollout), box.env);
    await midRollout(run);
    const helmPid = events(run.stdout()).find((e) => e.type === 'helm-start')?.pid;
    expect(typeof helmPid).toBe('number');
    process.kill(run.child.pid ?? 0, 'SIGKILL');
    await run.exited;
    // The kernel's SIGTERM (setpriv --pdeathsig) stops the orphaned helm: it must not keep
    // changing the cluster behind the next deploy's back.
    // Gone, or a zombie waiting for whoever adopted it to reap it.
    const helmGone = (): true | undefined => {
      try {
        const stat = readFileSync(`/proc/${String(helmPid)}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? true : undefined;
      } catch {
        return true;
      }
    };
    await eventually(() => Promise.resolve(helmGone()), {
      seconds: 30,
      what: `helm (pid ${String(helmPid)}) to exit`,
    });
    // Helm records "failed" on SIGTERM. Its stdout/stderr go through relays that outlive the
    // dead chartroom (a Go program dies of SIGPIPE on a broken stdout, whatever the signal
    // disposition, and would leave the release pending-install), so it always gets to say so.
    await waitForStatus(ns, /^1:failed$/, 30);
    const next = await runDeploy(deployArgs(ns), box.env);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain('recovered:');
    expect(await releaseStatuses(ns)).toEqual(['1:superseded', '2:deployed']);
  });
});
