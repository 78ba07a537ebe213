/** Readiness, liveness and startup probes: present, distinct, and aimed at a port that exists. */
import { isDeepStrictEqual } from 'node:util';
import { arr, num, obj, objs, str, text } from '../json.js';
import type { CheckContext, CheckDefinition, Json, Manifest } from '../model.js';
import { fail, optionBool, pass, perContainer, skip } from './helpers.js';
import { containersOf, podTemplateOf } from '../workload.js';
import { isTargetedByService } from './references.js';

const batchKinds = ['Job', 'CronJob'];

function probeCheck(
  probe: 'readinessProbe' | 'livenessProbe',
  definition: Omit<CheckDefinition, 'run'>,
): CheckDefinition {
  return {
    ...definition,
    run: (manifest: Manifest, context: CheckContext) => {
      // kube-score only asks for probes on pods a Service sends traffic to.
      if (
        optionBool(context.options, 'onlyIfTargetedByService', false) &&
        !isTargetedByService(manifest, context.index)
      ) {
        return batchKinds.includes(manifest.kind) ? [] : [skip('not targeted by a Service')];
      }
      if (optionBool(context.options, 'anyContainer', false)) {
        if (batchKinds.includes(manifest.kind)) return [];
        const template = podTemplateOf(manifest);
        if (template === undefined) return [];
        const has = containersOf(template, { init: true }).some(
          (ref) => obj(ref.container, probe) !== undefined,
        );
        return [has ? pass : fail(`no container of the pod has a ${probe}`)];
      }
      return perContainer(manifest, { excludeKinds: batchKinds }, (ref) =>
        obj(ref.container, probe) === undefined ? `container "${ref.name}" has no ${probe}` : undefined,
      );
    },
  };
}

export const readinessProbeMissing = probeCheck('readinessProbe', {
  id: 'readiness-probe-missing',
  title: 'Readiness probe set',
  family: 'probes',
  severity: 'warning',
  why: 'Without a readinessProbe a pod gets traffic the moment its process starts, before it has booted; during a rollout that means errors, and a failing new version is rolled out anyway.',
  fix: 'Add a `readinessProbe` that passes only when the container can serve (an HTTP health endpoint, not `/`).',
});

export const livenessProbeMissing = probeCheck('livenessProbe', {
  id: 'liveness-probe-missing',
  title: 'Liveness probe set',
  family: 'probes',
  severity: 'warning',
  why: 'A livenessProbe restarts a container that is deadlocked without exiting. Without one a hung process keeps its pod forever.',
  fix: 'Add a `livenessProbe` that checks the process itself (not its dependencies), with a generous failureThreshold.',
});

function probeAction(probe: Json): unknown {
  return obj(probe, 'httpGet') ?? obj(probe, 'tcpSocket') ?? obj(probe, 'exec') ?? obj(probe, 'grpc');
}

export const probesIdentical: CheckDefinition = {
  id: 'probes-identical',
  title: 'Readiness and liveness probes differ',
  family: 'probes',
  severity: 'danger',
  why: 'When readiness and liveness are the same check, a slow dependency makes the pod both unready and restarted: under load the whole Deployment restarts itself in a loop.',
  fix: 'Make the livenessProbe check only the process (or give it a much higher failureThreshold than readiness).',
  run: (manifest) =>
    perContainer(manifest, { init: true, excludeKinds: batchKinds }, (ref) => {
      const readiness = obj(ref.container, 'readinessProbe');
      const liveness = obj(ref.container, 'livenessProbe');
      if (readiness === undefined || liveness === undefined) return undefined;
      const a = probeAction(readiness);
      const b = probeAction(liveness);
      return a !== undefined && isDeepStrictEqual(a, b)
        ? `container "${ref.name}" uses the same readiness and liveness probe`
        : undefined;
    }),
};

const probeNames = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
} as const;

/** Ports a container exposes, by number and by name. */
function exposedPorts(container: Json): { numbers: Set<number>; names: Set<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  // Every probe kind speaks TCP; a UDP port cannot answer it.
  for (const port of objs(container, 'ports').filter((p) => (str(p, 'protocol') ?? 'TCP') === 'TCP')) {
    const n = num(port, 'containerPort');
    if (n !== undefined) numbers.add(n);
    const name = str(port, 'name');
    if (name !== undefined) names.add(name);
  }
  return { numbers, names };
}

export const probePortExposed: CheckDefinition = {
  id: 'probe-port-exposed',
  title: 'Probes target an exposed port',
  family: 'probes',
  severity: 'danger',
  why: 'A probe aimed at a port name the container does not declare never succeeds: the pod never becomes ready (readiness) or is restarted forever (liveness, startup).',
  fix: 'Point the probe at a `containerPort` number or name the container declares in `ports`.',
  run: (manifest, context) => {
    const wanted = arr(context.options.probes).map(String);
    const probes = (Object.keys(probeNames) as (keyof typeof probeNames)[]).filter(
      (p) => wanted.length === 0 || wanted.includes(p),
    );
    return perContainer(manifest, {}, (ref) => {
      const exposed = exposedPorts(ref.container);
      for (const probeKey of probes) {
        const probe = obj(ref.container, probeNames[probeKey]);
        if (probe === undefined) continue;
        const targets: [unknown, string][] = [
          [obj(probe, 'httpGet')?.port, 'HTTPGet'],
          [obj(probe, 'tcpSocket')?.port, 'TCPSocket'],
          [obj(probe, 'grpc')?.port, 'GRPC check'],
        ];
        for (const [port, how] of targets) {
          if (port === undefined) continue;
          const ok = typeof port === 'number' ? exposed.numbers.has(port) : exposed.names.has(text(port));
          if (!ok)
            return `container "${ref.name}" does not expose port ${text(port)} for the ${how} of its ${probeNames[probeKey]}`;
        }
      }
      return undefined;
    });
  },
};

export const probeChecks: CheckDefinition[] = [
  readinessProbeMissing,
  livenessProbeMissing,
  probesIdentical,
  probePortExposed,
];
