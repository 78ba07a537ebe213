/**
 * Crash logs on the local cluster: kwok serves a container's logs through the API when a Logs or
 * ClusterLogs rule points at a file in CRI log format.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPodLog, type KubeClient } from '../../../src/kube/index.js';
import { eventually } from '../harness.js';
import { crashLogLines } from './faults.js';

/** Serves the crash-looping container's previous log through kwok (CRI log format). */
export async function serveCrashLogs(kube: KubeClient, namespace: string, dir: string): Promise<void> {
  const file = join(dir, `crash-${namespace}.log`);
  const stamp = '2026-11-26T08:00:00.000000000Z';
  writeFileSync(file, crashLogLines.map((line) => `${stamp} stderr F ${line}\n`).join(''));
  const rule = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    metadata: { name: `crash-${namespace}` },
    spec: {
      selector: { matchNamespaces: [namespace] },
      logs: [{ containers: ['web'], logsFile: file, previousLogsFile: file }],
    },
  };
  // kwok may start watching the kind only after the rule is created: (re)create the rule until a
  // probe pod's previous log is served through the API, which is exactly what the tracker will ask for.
  const ref = { apiVersion: rule.apiVersion, kind: rule.kind, name: rule.metadata.name };
  await kube.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'log-probe', namespace, annotations: { 'chartroom.dev/kwok-fault': 'crashloop' } },
    spec: { containers: [{ name: 'web', image: 'registry.example.com/probe:1' }] },
  });
  await eventually(
    async () => {
      await kube.delete(ref);
      await kube.create(rule);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        const lines = await readPodLog(kube, {
          namespace,
          pod: 'log-probe',
          container: 'web',
          previous: true,
        });
        return lines.length > 0 ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { seconds: 40, what: 'kwok serving the crash log rule' },
  );
  await kube.delete({ apiVersion: 'v1', kind: 'Pod', name: 'log-probe', namespace });
}

export async function removeCrashLogs(kube: KubeClient, namespace: string): Promise<void> {
  await kube.delete({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterLogs',
    name: `crash-${namespace}`,
  });
}
