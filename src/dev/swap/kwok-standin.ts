/**
 * On a kwok cluster (Chartroom's local cluster), pods are API objects only: no container runs, so
 * the relay pod's program does not either. kwok answers port-forwards for a pod from a
 * `PortForward` rule instead, so the stand-in runs the *same* relay program as a local process on
 * ephemeral loopback ports and adds a rule that maps the relay pod's ports to it. Everything else
 * stays real: the Deployment rollout, the Service and its EndpointSlices, and the API server's
 * port-forwards — the CLI's control connection and any client's connection to the Service both go
 * through them. The stand-in exits with the CLI (it watches its parent), and restore removes the
 * rules by the session label.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { requestJson, type KubeClient, type V1Pod } from '../../kube/index.js';
import { devLabels } from './record.js';
import { relayScript } from './relay-script.js';

const kwokNodeAnnotation = 'kwok.x-k8s.io/node';
const portForwardPath = (namespace: string) =>
  `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/portforwards`;

export interface StandinOptions {
  kube: KubeClient;
  namespace: string;
  session: string;
  /** The relay's environment, as in its container. */
  env: Record<string, string>;
  controlPort: number;
  onLog?: (line: string) => void;
}

interface Standin {
  child: ChildProcess;
}

export class KwokStandins {
  private readonly standins = new Map<string, Standin>();
  private readonly kwokNodes = new Map<string, Promise<boolean>>();

  constructor(private readonly options: StandinOptions) {}

  /** True when the pod's node is run by kwok (no container will ever start there). */
  isKwokPod(pod: V1Pod): Promise<boolean> {
    const node = pod.spec?.nodeName;
    if (node === undefined) return Promise.resolve(false);
    let known = this.kwokNodes.get(node);
    if (known === undefined) {
      known = requestJson<{ metadata?: { annotations?: Record<string, string> } }>(this.options.kube, {
        method: 'GET',
        path: `/api/v1/nodes/${encodeURIComponent(node)}`,
        doing: `reading node ${node}`,
      }).then(
        (object) => object.metadata?.annotations?.[kwokNodeAnnotation] !== undefined,
        // Nodes we may not read are not kwok's (a real cluster with namespace-scoped rights).
        () => false,
      );
      this.kwokNodes.set(node, known);
    }
    return known;
  }

  /** Starts the stand-in for a relay pod on a kwok node and points kwok's port-forward at it. */
  async ensure(pod: string): Promise<void> {
    if (this.standins.has(pod)) return;
    const child = spawn(process.execPath, ['-e', relayScript], {
      env: {
        ...this.options.env,
        CHARTROOM_RELAY_EPHEMERAL: '1',
        CHARTROOM_RELAY_PARENT_PID: String(process.pid),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.standins.set(pod, { child });
    try {
      const bound = await this.bound(child);
      await requestJson(this.options.kube, {
        method: 'POST',
        path: portForwardPath(this.options.namespace),
        doing: `adding the kwok port-forward rule of relay pod ${pod}`,
        body: {
          apiVersion: 'kwok.x-k8s.io/v1alpha1',
          kind: 'PortForward',
          metadata: {
            name: pod,
            namespace: this.options.namespace,
            labels: { [devLabels.session]: this.options.session },
          },
          spec: {
            forwards: [
              { ports: [this.options.controlPort], target: { address: '127.0.0.1', port: bound.control } },
              ...Object.entries(bound.ports).map(([port, local]) => ({
                ports: [Number(port)],
                target: { address: '127.0.0.1', port: local },
              })),
            ],
          },
        },
      });
    } catch (error) {
      child.kill();
      this.standins.delete(pod);
      throw error;
    }
  }

  private bound(child: ChildProcess): Promise<{ control: number; ports: Record<string, number> }> {
    return new Promise((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.startsWith('{"chartroomRelay"')) {
            resolve(
              (JSON.parse(line) as { chartroomRelay: { control: number; ports: Record<string, number> } })
                .chartroomRelay,
            );
          } else if (line !== '') {
            this.options.onLog?.(line);
          }
          newline = buffer.indexOf('\n');
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => this.options.onLog?.(chunk.toString('utf8').trimEnd()));
      child.once('exit', (code) => {
        reject(new Error(`the kwok stand-in of the relay exited (${String(code)})`));
      });
    });
  }

  /** Stops the stand-in of a pod that is gone (its rule is removed with the session). */
  drop(pod: string): void {
    this.standins.get(pod)?.child.kill();
    this.standins.delete(pod);
  }

  stopAll(): void {
    for (const pod of [...this.standins.keys()]) this.drop(pod);
  }
}

/** Removes every kwok port-forward rule a session added (none on a real cluster). */
export async function deleteStandinRules(
  kube: KubeClient,
  namespace: string,
  session: string,
): Promise<void> {
  try {
    await requestJson(kube, {
      method: 'DELETE',
      path: `${portForwardPath(namespace)}?labelSelector=${encodeURIComponent(`${devLabels.session}=${session}`)}`,
      doing: `removing the kwok port-forward rules of session ${session}`,
    });
  } catch (error) {
    // 404: kwok's CRDs are not installed, so this is a real cluster and there is nothing to remove.
    if ((error as { status?: number }).status !== 404) throw error;
  }
}
