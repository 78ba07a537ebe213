/** Host namespaces, host ports and host paths. */
import { bool, num, objs, str } from '../json.js';
import type { CheckDefinition } from '../model.js';
import type { PodTemplate } from '../workload.js';
import { containersOf } from '../workload.js';
import { fail, pass, perContainer, perPod } from './helpers.js';

function hostFlag(id: string, field: 'hostNetwork' | 'hostPID' | 'hostIPC', why: string): CheckDefinition {
  return {
    id,
    title: `${field} not set`,
    family: 'host',
    severity: 'danger',
    why,
    fix: `Remove \`${field}: true\` from the pod spec.`,
    run: (manifest) =>
      perPod(manifest, (template) =>
        bool(template.spec, field) === true ? `pod has ${field}: true` : undefined,
      ),
  };
}

export const hostNetwork = hostFlag(
  'host-network',
  'hostNetwork',
  'A pod on the host network sees every connection of the node, binds its ports directly and bypasses NetworkPolicies.',
);
export const hostPid = hostFlag(
  'host-pid',
  'hostPID',
  'A pod in the host PID namespace sees and can signal every process on the node.',
);
export const hostIpc = hostFlag(
  'host-ipc',
  'hostIPC',
  'A pod in the host IPC namespace can read shared memory of every process on the node.',
);

export const hostPort: CheckDefinition = {
  id: 'host-port',
  title: 'No hostPort',
  family: 'host',
  severity: 'warning',
  why: 'A hostPort limits the pod to one per node and to nodes where the port is free: scaling and draining stall in ways that are hard to see.',
  fix: 'Remove `hostPort` and reach the pod through a Service.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const port = objs(ref.container, 'ports').find((p) => (num(p, 'hostPort') ?? 0) !== 0);
      return port === undefined
        ? undefined
        : `container "${ref.name}" uses hostPort ${String(num(port, 'hostPort'))}`;
    }),
};

interface HostMount {
  path: string;
  volume: string;
  container: string;
  readOnly: boolean;
}

function hostMounts(template: PodTemplate): HostMount[] {
  const hostVolumes = new Map<string, string>();
  for (const volume of objs(template.spec, 'volumes')) {
    const path = str(volume, 'hostPath.path');
    if (path !== undefined) hostVolumes.set(str(volume, 'name') ?? '', path);
  }
  const out: HostMount[] = [];
  for (const ref of containersOf(template, { init: true })) {
    for (const mount of objs(ref.container, 'volumeMounts')) {
      const path = hostVolumes.get(str(mount, 'name') ?? '');
      if (path !== undefined)
        out.push({
          path,
          volume: str(mount, 'name') ?? '',
          container: ref.name,
          readOnly: bool(mount, 'readOnly') === true,
        });
    }
  }
  return out;
}

export const hostPath: CheckDefinition = {
  id: 'host-path',
  title: 'No hostPath volumes',
  family: 'host',
  severity: 'warning',
  why: "A hostPath volume reaches into the node's filesystem: the pod depends on what is on that node and can change it.",
  fix: 'Use an emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const volumes = objs(template.spec, 'volumes').filter((v) => v.hostPath !== undefined);
      return volumes.length === 0
        ? undefined
        : `pod mounts hostPath volume "${str(volumes[0], 'name') ?? ''}"`;
    }),
};

const sensitive = [
  '/',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/proc',
  '/sys',
  '/usr',
  '/var/run/docker.sock',
  '/var/run/crio/crio.sock',
  '/run/containerd/containerd.sock',
  '/var/lib/kubelet',
];

export const sensitiveHostMount: CheckDefinition = {
  id: 'sensitive-host-mount',
  title: 'No sensitive host directories mounted',
  family: 'host',
  severity: 'danger',
  why: 'Mounting /etc, /proc, /var/lib/kubelet or a container runtime socket gives the pod control of the node.',
  fix: 'Remove the hostPath volume; if an agent truly needs it, run it as a reviewed DaemonSet and ignore the check there.',
  run: (manifest, context) => {
    const list = Array.isArray(context.options.paths) ? context.options.paths.map(String) : sensitive;
    return perPod(manifest, (template) => {
      const results = hostMounts(template)
        .filter((m) => list.includes(m.path.replace(/\/+$/, '') || '/'))
        .map((m) =>
          fail(`host system directory "${m.path}" is mounted on container "${m.container}"`, {
            container: m.container,
          }),
        );
      return results.length === 0 ? [pass] : results;
    });
  },
};

export const dockerSocket: CheckDefinition = {
  ...sensitiveHostMount,
  id: 'docker-socket',
  title: 'No container runtime socket mounted',
  why: 'Whoever talks to the Docker/containerd socket can start privileged containers on the node: full node takeover.',
  fix: "Build images with an unprivileged builder (kaniko, buildkit rootless) instead of the node's daemon.",
  run: (manifest, context) =>
    sensitiveHostMount.run(manifest, {
      ...context,
      options: {
        paths: ['/var/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/crio/crio.sock'],
      },
    }),
};

export const writableHostMount: CheckDefinition = {
  id: 'writable-host-mount',
  title: 'Host paths mounted read-only',
  family: 'host',
  severity: 'warning',
  optional: true,
  why: "A writable host mount lets the pod change the node's files for every other pod.",
  fix: 'Set `readOnly: true` on the volumeMount.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const results = hostMounts(template)
        .filter((m) => !m.readOnly)
        .map((m) =>
          fail(`container ${m.container} mounts path ${m.path} on the host as writable`, {
            container: m.container,
          }),
        );
      return results.length === 0 ? [pass] : results;
    }),
};

export const hostChecks: CheckDefinition[] = [
  hostNetwork,
  hostPid,
  hostIpc,
  hostPort,
  hostPath,
  sensitiveHostMount,
  dockerSocket,
  writableHostMount,
];
