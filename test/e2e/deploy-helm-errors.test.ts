/**
 * Failures that are Helm's own (it stops before any rollout the tracker could watch), and the
 * API server's refusals of pods, produced on the local cluster with the example chart and the real
 * helm: each deploy must name the cause and the command that fixes it, in Helm's whole message —
 * not "1 error occurred:".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deploy, DeployFailedError, type DeployOutcomeSummary } from '../../src/deploy/index.js';
import { openStore } from '../../src/store/index.js';
import { demoKey, exampleApp, sandbox } from './deploy-support/app.js';
import { kubeconfig, kubectl, ok, testNamespace } from './harness.js';

interface Case {
  name: string;
  /** Makes the namespace fail the deploy; returns the kubeconfig to deploy with. */
  arrange: (ns: string, dir: string) => Promise<string>;
  /** The diagnosis's class: `helm-failed` unless the rollout got as far as the tracker. */
  cls?: string;
  /** Extra values for the deploy. */
  values?: Record<string, unknown>;
  reason: string;
  error: RegExp;
  hint: RegExp;
}

const cases: Case[] = [
  {
    name: 'an object of the same name made by hand',
    arrange: async (ns) => {
      ok(await kubectl(['-n', ns, 'create', 'configmap', 'webapp']));
      return kubeconfig();
    },
    reason: 'resource-exists',
    error: /ConfigMap "webapp" in namespace "\S+" exists and cannot be imported/,
    hint: /kubectl label configmap webapp -n \S+ app\.kubernetes\.io\/managed-by=Helm && kubectl annotate configmap webapp -n \S+ meta\.helm\.sh\/release-name=webapp/,
  },
  {
    name: 'an adopted Deployment whose selector differs',
    arrange: async (ns) => {
      ok(await kubectl(['-n', ns, 'create', 'deployment', 'webapp', '--image=registry.example/webapp:0']));
      ok(await kubectl(['-n', ns, 'label', 'deployment', 'webapp', 'app.kubernetes.io/managed-by=Helm']));
      ok(
        await kubectl([
          '-n',
          ns,
          'annotate',
          'deployment',
          'webapp',
          'meta.helm.sh/release-name=webapp',
          `meta.helm.sh/release-namespace=${ns}`,
        ]),
      );
      return kubeconfig();
    },
    reason: 'immutable-field',
    error: /field is immutable/,
    hint: /^spec\.selector of Deployment webapp cannot change in place: delete it \(kubectl delete deployment webapp -n /,
  },
  {
    name: 'a ResourceQuota that allows no Service',
    arrange: async (ns) => {
      ok(await kubectl(['-n', ns, 'create', 'quota', 'no-services', '--hard=services=0']));
      return kubeconfig();
    },
    reason: 'quota-exceeded',
    error: /exceeded quota: no-services/,
    hint: /ResourceQuota no-services refuses it \(requested services=1, limit services=0\)/,
  },
  {
    // Helm applies the Deployment; its ReplicaSet cannot create a pod. The tracker's verdict,
    // with the quota's own words in the hint.
    name: 'a ResourceQuota that allows no pod',
    arrange: async (ns) => {
      ok(await kubectl(['-n', ns, 'create', 'quota', 'no-pods', '--hard=pods=0']));
      return kubeconfig();
    },
    values: { migrations: { enabled: false } },
    cls: 'create-failed',
    reason: 'FailedCreate',
    error: /^Deployment\/webapp: pods cannot be created: .*exceeded quota: no-pods/,
    hint: /ResourceQuota no-pods refuses it \(requested pods=1, limit pods=0\)/,
  },
  {
    name: 'a CI identity that may read but not create jobs',
    arrange: async (ns, dir) => {
      // Enough for Chartroom's lock and Helm's release records, not for the chart's objects.
      const inNs = async (...args: string[]): Promise<void> => {
        ok(await kubectl(['-n', ns, ...args]));
      };
      await inNs('create', 'serviceaccount', 'ci');
      await inNs('create', 'rolebinding', 'ci-view', '--clusterrole=view', `--serviceaccount=${ns}:ci`);
      await inNs(
        'create',
        'role',
        'ci-release',
        '--verb=get,list,watch,create,update,patch,delete',
        '--resource=leases.coordination.k8s.io,secrets',
      );
      await inNs('create', 'rolebinding', 'ci-release', '--role=ci-release', `--serviceaccount=${ns}:ci`);
      const token = ok(await kubectl(['-n', ns, 'create', 'token', 'ci'])).stdout.trim();
      const file = join(dir, 'ci.kubeconfig');
      writeFileSync(file, ok(await kubectl(['config', 'view', '--raw', '--minify'])).stdout, { mode: 0o600 });
      ok(await kubectl(['--kubeconfig', file, 'config', 'set-credentials', 'ci', `--token=${token}`]));
      ok(await kubectl(['--kubeconfig', file, 'config', 'set-context', '--current', '--user=ci']));
      return file;
    },
    reason: 'forbidden',
    error: /is forbidden: User "system:serviceaccount:\S+:ci" cannot \w+ resource/,
    hint: /^system:serviceaccount:\S+:ci may not \w+ \S+ in \S+: ask for access \(chartroom access request --cluster <cluster> --level edit --namespace /,
  },
];

describe("Helm's own failures, explained", () => {
  it('names the cause and the fix for each, from the whole of Helm’s message', async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    onTestFinished(() => store.close());
    const box = sandbox();
    const outcomes = await Promise.all(
      cases.map(async (c): Promise<DeployOutcomeSummary | Error> => {
        const ns = await testNamespace('deploy-helm-err');
        const config = await c.arrange(ns, box.root);
        try {
          await deploy({
            app: exampleApp,
            env: 'staging',
            namespace: ns,
            createNamespace: false,
            timeout: '5m',
            processEnv: { ...process.env, KUBECONFIG: config, SOPS_AGE_KEY_FILE: demoKey },
            store,
            lockTimeoutMs: 0,
            ...(c.values === undefined ? {} : { extraValues: [{ name: c.name, values: c.values }] }),
          });
          return new Error(`${c.name}: the deploy succeeded`);
        } catch (error) {
          return error instanceof DeployFailedError ? error.result : (error as Error);
        }
      }),
    );
    cases.forEach((c, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined || outcome instanceof Error) {
        expect.soft(outcome?.message, c.name).toBe('a DeployFailedError');
        return;
      }
      expect.soft(outcome.diagnosis?.class, c.name).toBe(c.cls ?? 'helm-failed');
      expect.soft(outcome.diagnosis?.reason, c.name).toBe(c.reason);
      expect.soft(outcome.diagnosis?.summary, c.name).toMatch(c.error);
      expect.soft(outcome.diagnosis?.summary, c.name).not.toMatch(/error occurred:?$/);
      expect.soft(outcome.diagnosis?.hint, c.name).toMatch(c.hint);
    });
  }, 120_000);
});
