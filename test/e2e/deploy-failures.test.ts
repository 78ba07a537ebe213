/**
 * Every failure class the tracker knows, produced on the local cluster with the example chart
 * and the real helm, deployed with a 5-minute timeout: each deploy must stop with the specific
 * cause — naming the pod and container — long before Helm's `--wait` would give up. (How long
 * after the symptom appears is measured by bench/deploy-failfast.ts, not asserted here.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deploy, DeployFailedError, type DeployOutcomeSummary } from '../../src/deploy/index.js';
import { openStore } from '../../src/store/index.js';
import { demoKey, exampleApp } from './deploy-support/app.js';
import { removeCrashLogs, serveCrashLogs } from './deploy-support/crash-logs.js';
import { crashLogLines, faultCases } from './deploy-support/faults.js';
import { kube, kubeconfig, testNamespace } from './harness.js';

describe('the rollout tracker explains failures instead of timing out', () => {
  it(
    'reports each failure class with its cause, pod and container, and leaves the release failed',
    async () => {
      const store = await openStore({ url: 'sqlite::memory:' });
      const logs = mkdtempSync(join(tmpdir(), 'chartroom-crash-logs-'));
      onTestFinished(async () => {
        await store.close();
        rmSync(logs, { recursive: true, force: true });
      });
      const namespaces = await Promise.all(faultCases.map(() => testNamespace('deploy-fail')));
      const crashNs = namespaces[faultCases.findIndex((c) => c.class === 'crash-loop')] ?? '';
      await serveCrashLogs(kube(), crashNs, logs);
      onTestFinished(() => removeCrashLogs(kube(), crashNs).then(() => undefined));

      const outcomes = await Promise.all(
        faultCases.map(async (fault, index): Promise<DeployOutcomeSummary | Error> => {
          try {
            await deploy({
              app: exampleApp,
              env: 'staging',
              namespace: namespaces[index] ?? '',
              timeout: '5m',
              extraValues: [{ name: `fault: ${fault.name}`, values: fault.values }],
              processEnv: { ...process.env, KUBECONFIG: kubeconfig(), SOPS_AGE_KEY_FILE: demoKey },
              store,
              lockTimeoutMs: 0,
            });
            return new Error(`${fault.name}: the deploy succeeded`);
          } catch (error) {
            return error instanceof DeployFailedError ? error.result : (error as Error);
          }
        }),
      );

      faultCases.forEach((fault, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined || outcome instanceof Error) {
          expect.soft(outcome?.message, fault.name).toBe('a DeployFailedError');
          return;
        }
        const diagnosis = outcome.diagnosis;
        expect.soft(diagnosis?.class, fault.name).toBe(fault.class);
        expect.soft(diagnosis?.message, fault.name).toMatch(fault.cause);
        expect
          .soft(diagnosis?.pod, fault.name)
          .toMatch(fault.class === 'hook-failed' ? /^webapp-migrate-/ : /^webapp-[a-z0-9]+-[a-z0-9]+$/);
        if (fault.container !== '') expect.soft(diagnosis?.container, fault.name).toBe(fault.container);
        expect.soft(diagnosis?.summary, fault.name).toContain(`pod ${diagnosis?.pod ?? '?'}`);
        expect.soft(diagnosis?.hint, fault.name).not.toBe('');
        // Helm was stopped with SIGTERM (or stopped itself on the hook): the release is marked failed, not left pending.
        expect.soft(outcome.releaseStatus, fault.name).toBe('failed');
        expect.soft(outcome.status, fault.name).toBe('failed');
      });

      const crash = outcomes[faultCases.findIndex((c) => c.class === 'crash-loop')] as DeployOutcomeSummary;
      expect(crash.diagnosis?.logs, crash.diagnosis?.logsNote).toEqual(crashLogLines);
      const oom = outcomes[faultCases.findIndex((c) => c.class === 'oom-killed')] as DeployOutcomeSummary;
      expect(oom.diagnosis?.summary).toContain('(limit 256Mi)');
      const hook = outcomes[faultCases.findIndex((c) => c.class === 'hook-failed')] as DeployOutcomeSummary;
      expect(hook.diagnosis?.workload).toMatchObject({
        kind: 'Job',
        name: 'webapp-migrate',
        hook: ['pre-install', 'pre-upgrade'],
      });
      expect(hook.diagnosis?.exitCode).toBe(2);
    },
    // Far below the deploys' 5-minute timeout: a diagnosis that waited for Helm would fail here.
    150_000,
  );
});
