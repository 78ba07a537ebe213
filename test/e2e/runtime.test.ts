/**
 * runtime end to end: a real kube-apiserver (its own local control plane) with its audit webhook
 * pointed at Chartroom's receiver, which runs Falco's official k8s_audit_rules.yaml. The real
 * kubectl creates a privileged pod, execs into a pod and binds a user to cluster-admin; the
 * matching rules fire with their output fields filled from the real audit events.
 *
 * The API server and the receiver authenticate each other over mutual TLS (a throw-away CA): the
 * API server verifies the receiver's certificate and presents a client certificate, which the
 * receiver requires — there is no unauthenticated intake here. Token checks and refusals are
 * tested in src/runtime/inputs/http-routes.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downCluster, upCluster } from '../../src/cluster/index.js';
import { findPeer } from '../../src/core/peers.js';
import {
  AlertPipeline,
  Runtime,
  startReceiver,
  type Alert,
  type AlertSink,
  type Receiver,
} from '../../src/runtime/index.js';
import { makeTestPki, type TestPki } from '../../src/runtime/testing/tls.js';
import { run, type RunResult } from '../../src/testing/run.js';

const repo = resolve(import.meta.dirname, '../..');
const rulesFile = resolve(repo, '../shared/fixtures/falco/rules/k8s_audit_rules.yaml');
// The shared setup reaps only its own `e2e-<pid>` clusters; this one has its owner's watchdog.
const clusterName = `e2e-runtime-${process.pid}`;

class CollectingSink implements AlertSink {
  readonly name = 'test';
  readonly alerts: Alert[] = [];
  deliver(alert: Alert): void {
    this.alerts.push(alert);
  }
  async close(): Promise<void> {}
  stats() {
    return { delivered: this.alerts.length, filtered: 0, suppressed: 0, dropped: 0 };
  }
}

describe('runtime: kube-apiserver audit webhook → Chartroom → Falco k8s audit rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-e2e-'));
  const sink = new CollectingSink();
  const kubectlPath = findPeer('kubectl') ?? 'kubectl';
  let receiver: Receiver | undefined;
  let pki: TestPki | undefined;
  let kubeconfig: string;
  let auditErrors = 0;

  const kubectl = async (args: string[], input?: string): Promise<RunResult> => {
    const result = await run(kubectlPath, args, {
      env: { KUBECONFIG: kubeconfig },
      ...(input === undefined ? {} : { input }),
    });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result;
  };

  async function alertFor(rule: string, matches: (alert: Alert) => boolean): Promise<Alert> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = sink.alerts.find((alert) => alert.rule === rule && matches(alert));
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`no "${rule}" alert after 60 s; got: ${sink.alerts.map((a) => a.rule).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    // The admin the cluster's kubeconfig uses is a known administrator here, as a Falco user would
    // declare theirs: without this, "Disallowed K8s User" (the first rule) wins every event.
    const overrides = join(dir, 'overrides.yaml');
    writeFileSync(
      overrides,
      '- list: allowed_k8s_users\n  items: [chartroom-admin]\n  override: {items: append}\n',
    );
    const runtime = await Runtime.fromFiles([rulesFile, overrides], { hostname: 'e2e' });
    const pipeline = new AlertPipeline(runtime, [sink], () => {
      auditErrors++;
    });
    const certs = await makeTestPki();
    pki = certs;
    receiver = await startReceiver({
      host: '127.0.0.1',
      port: 0,
      pipeline,
      tls: { cert: certs.serverCert, key: certs.serverKey, clientCa: certs.caCert },
    });
    expect(receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const up = await upCluster({
      name: clusterName,
      nodes: 1,
      auditWebhook: `${receiver.url}/k8s-audit`,
      webhookCaFile: certs.caCert,
      webhookCredentials: { clientCertFile: certs.clientCert, clientKeyFile: certs.clientKey },
      ownerPid: process.pid,
    });
    kubeconfig = up.state.kubeconfig;
  }, 240_000);

  afterAll(async () => {
    await downCluster({ name: clusterName });
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
    if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
  }, 60_000);

  it('receives the audit events of the real API server; the first matching rule wins', async () => {
    await kubectl(['create', 'namespace', 'runtime-e2e']);
    // "Create Disallowed Namespace" comes before "K8s Namespace Created" in the rules file, and
    // rule_matching: first (Falco's default) reports only the first rule an event matches.
    const alert = await alertFor(
      'Create Disallowed Namespace',
      (a) => a.outputFields['ka.target.name'] === 'runtime-e2e',
    );
    expect(alert.output).toMatch(
      /: Warning Disallowed namespace created \(user=chartroom-admin ns=runtime-e2e resource=namespaces\)$/,
    );
    expect(
      sink.alerts.filter(
        (a) => a.rule === 'K8s Namespace Created' && a.outputFields['ka.target.name'] === 'runtime-e2e',
      ),
    ).toEqual([]);
    expect(auditErrors).toBe(0);
  });

  it('creating a privileged pod fires "Create Privileged Pod" with the pod, user and image', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'priv', namespace: 'runtime-e2e' },
      spec: {
        containers: [
          {
            name: 'shell',
            image: 'busybox:1.36',
            command: ['sleep', '3600'],
            securityContext: { privileged: true },
          },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    const alert = await alertFor('Create Privileged Pod', (a) => a.outputFields['ka.resp.name'] === 'priv');
    expect(alert.priority).toBe('Warning');
    expect(alert.outputFields).toMatchObject({
      'ka.user.name': 'chartroom-admin',
      'ka.target.namespace': 'runtime-e2e',
      'ka.target.resource': 'pods',
      'ka.req.pod.containers.image': ['busybox:1.36'],
      'ka.req.pod.initContainers.image': null,
    });
    expect(alert.output).toMatch(
      /: Warning Pod started with privileged container \(user=chartroom-admin pod=priv resource=pods ns=runtime-e2e images=\(busybox:1\.36\) /,
    );
  });

  it('exec into a pod fires "Attach/Exec Pod" with the command', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: 'runtime-e2e' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    // kwok runs exec'd commands on the host for pods that have an Exec rule.
    const exec = {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Exec',
      metadata: { name: 'app', namespace: 'runtime-e2e' },
      spec: { execs: [{ local: { workDir: dir } }] },
    };
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod, exec] }),
    );
    await kubectl(['wait', '--for=condition=Ready', 'pod/app', '-n', 'runtime-e2e', '--timeout=60s']);
    const result = await kubectl(['exec', '-n', 'runtime-e2e', 'app', '--', 'echo', 'hello-from-exec']);
    expect(result.stdout.trim()).toBe('hello-from-exec');
    const alert = await alertFor('Attach/Exec Pod', (a) => a.outputFields['ka.target.name'] === 'app');
    expect(alert.priority).toBe('Notice');
    expect(alert.outputFields).toMatchObject({
      'ka.user.name': 'chartroom-admin',
      'ka.target.namespace': 'runtime-e2e',
      'ka.target.subresource': 'exec',
      'ka.uri.param[command]': 'echo',
    });
  });

  it('binding a user to cluster-admin fires "Attach to cluster-admin Role" with the subject', async () => {
    await kubectl([
      'create',
      'clusterrolebinding',
      'mallory-admin',
      '--clusterrole=cluster-admin',
      '--user=mallory',
    ]);
    const subjectsOf = (a: Alert) =>
      ((a.outputFields['ka.req.binding.subjects'] ?? []) as string[]).map(
        (s) => JSON.parse(s) as { kind: string; name: string },
      );
    // The API server's own bootstrap binding (cluster-admin → system:masters) fires this rule too.
    const alert = await alertFor('Attach to cluster-admin Role', (a) =>
      subjectsOf(a).some((s) => s.name === 'mallory'),
    );
    expect(alert.outputFields['ka.user.name']).toBe('chartroom-admin');
    expect(subjectsOf(alert)).toEqual([expect.objectContaining({ kind: 'User', name: 'mallory' })]);
    expect(alert.output).toMatch(
      /: Warning Cluster Role Binding to cluster-admin role \(user=chartroom-admin subject=\(\{.*"name":"mallory"\}\)\)$/,
    );
  });
});
