/**
 * Turns measurements into concrete values, as strategic-merge patches (`kubectl patch
 * --type strategic --patch-file`, or a kustomize patch) with the reasoning in comments.
 */
import { Document, stringify } from 'yaml';
import { obj } from '../json.js';
import type { Json, Manifest } from '../model.js';
import { formatCores } from '../../kube/quantity.js';
import { startupSecondsAnnotation } from '../checks/startup.js';
import { containersOf, podTemplateOf } from '../workload.js';
import type { Flapping } from './flapping.js';
import type { Offender } from './offenders.js';

const roundUp = (value: number, step: number): number => Math.ceil(value / step) * step;

/** CPU request in millicores rounded up to 50m, never below the current one. */
export function proposedRequest(offender: Offender): string {
  const steady = offender.steadyP95Cores ?? offender.requestCores;
  const cores = Math.max(offender.requestCores, roundUp(steady * 1000, 50) / 1000);
  return formatCores(cores);
}

export interface Patch {
  target: { apiVersion: string; kind: string; name: string; namespace: string };
  body: Json;
  why: string[];
}

/** The startup probe handler: the readiness probe's, when the workload's manifest is known. */
function startupHandler(offender: Offender, manifests: readonly Manifest[]): Json | undefined {
  const workload = manifests.find(
    (m) =>
      m.kind === offender.owner.kind &&
      m.name === offender.owner.name &&
      (m.namespace ?? offender.owner.namespace) === offender.owner.namespace,
  );
  const template = workload === undefined ? undefined : podTemplateOf(workload);
  const container =
    template === undefined ? undefined : containersOf(template).find((c) => c.name === offender.container);
  const readiness = obj(container?.container, 'readinessProbe');
  if (readiness === undefined) return undefined;
  for (const key of ['httpGet', 'tcpSocket', 'grpc', 'exec']) {
    const handler = obj(readiness, key);
    if (handler !== undefined) return { [key]: handler };
  }
  return undefined;
}

export function offenderPatch(offender: Offender, manifests: readonly Manifest[]): Patch {
  const warmup = Math.max(30, roundUp(offender.warmupSeconds, 10));
  const period = 10;
  const failureThreshold = Math.ceil((warmup * 1.5) / period);
  const handler = startupHandler(offender, manifests) ?? { httpGet: { path: '/health', port: 'http' } };
  const container: Json = {
    name: offender.container,
    resources: { requests: { cpu: proposedRequest(offender) } },
    startupProbe: { ...handler, periodSeconds: period, failureThreshold },
  };
  return {
    target: {
      apiVersion: 'apps/v1',
      kind: offender.owner.kind,
      name: offender.owner.name,
      namespace: offender.owner.namespace,
    },
    body: {
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '10%' } },
        template: {
          metadata: { annotations: { [startupSecondsAnnotation]: String(warmup) } },
          spec: { containers: [container] },
        },
      },
    },
    why: [
      `container "${offender.container}" peaked at ${formatCores(offender.peakCores)} cores in its first minutes against a request of ${formatCores(offender.requestCores)} (${offender.peakRatio.toFixed(1)}x) over ${offender.starts.length} start(s)`,
      `it settled after ~${offender.warmupSeconds}s at a p95 of ${offender.steadyP95Cores === undefined ? 'unknown' : formatCores(offender.steadyP95Cores)} cores: request ${proposedRequest(offender)}`,
      `startupProbe allows ${failureThreshold * period}s (1.5x the warm-up) before liveness and readiness take over`,
      "maxSurge 25% / maxUnavailable 10% keeps start-up spikes of a rollout from landing at once (the talk's values)",
    ],
  };
}

export function hpaPatch(
  hpa: { name: string; namespace: string },
  input: { warmupSeconds?: number; flapping?: Flapping },
): Patch {
  const upWindow = Math.max(60, roundUp(input.warmupSeconds ?? 0, 30));
  const downWindow = Math.max(300, roundUp((input.flapping?.medianUpToDownSeconds ?? 0) * 2, 60));
  const why: string[] = [];
  if (input.warmupSeconds !== undefined) {
    why.push(
      `scale-up waits ${upWindow}s, longer than the ${input.warmupSeconds}s start-up spike, and adds at most 50% a minute`,
    );
  }
  if (input.flapping !== undefined) {
    why.push(
      `desired replicas reversed ${input.flapping.reversals} times (${input.flapping.reversalsPerHour}/h, ${input.flapping.lowest}↔${input.flapping.highest}); scale-down waits ${downWindow}s, twice the median up→down gap of ${input.flapping.medianUpToDownSeconds}s`,
    );
  }
  return {
    target: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: hpa.name,
      namespace: hpa.namespace,
    },
    body: {
      spec: {
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: upWindow,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
          },
          scaleDown: {
            stabilizationWindowSeconds: downWindow,
            policies: [{ type: 'Percent', value: 25, periodSeconds: 60 }],
          },
        },
      },
    },
    why,
  };
}

/** All patches as one multi-document YAML, each with its reasons as a leading comment. */
export function patchYaml(patches: readonly Patch[]): string {
  return patches
    .map((patch) => {
      const doc = new Document({
        apiVersion: patch.target.apiVersion,
        kind: patch.target.kind,
        metadata: { name: patch.target.name, namespace: patch.target.namespace },
        ...patch.body,
      });
      doc.commentBefore = patch.why.map((line) => ` ${line}`).join('\n');
      return stringify(doc);
    })
    .join('---\n');
}
