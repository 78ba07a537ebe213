/**
 * `kubectl port-forward` to a port kubectl picks, as tests and benches use it to reach a Service
 * through the API server: the local port is read from kubectl's "Forwarding from" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { peerPath } from './peer-process.js';

export interface KubectlPortForward {
  child: ChildProcess;
  /** The local port, or undefined when kubectl exits before it forwards. */
  port: Promise<number | undefined>;
  stop: () => void;
}

export function kubectlPortForward(options: {
  kubeconfig: string;
  namespace: string;
  /** `svc/name:port` or `pod/name:port` as kubectl takes it, without the local side. */
  target: string;
  remotePort: number;
}): KubectlPortForward {
  const child = spawn(
    peerPath('kubectl'),
    ['port-forward', '-n', options.namespace, options.target, `:${String(options.remotePort)}`],
    { env: { ...process.env, KUBECONFIG: options.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = new Promise<number | undefined>((resolve) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /127\.0\.0\.1:(\d+) ->/.exec(text);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    });
    child.once('exit', () => {
      resolve(undefined);
    });
  });
  return {
    child,
    port,
    stop: () => {
      child.kill();
    },
  };
}
