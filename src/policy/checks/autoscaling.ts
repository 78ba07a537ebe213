/**
 * HorizontalPodAutoscalers: valid targets and replica bounds (as the anchors check), and the talk's
 * lessons — scale-up behaviour and External metric targets.
 */
import { num, obj, objs, str, text } from '../json.js';
import type { CheckResult, CheckDefinition, Json } from '../model.js';
import { parseQuantity } from '../../kube/quantity.js';
import { fail, optionNumber, pass } from './helpers.js';
import { hpasFor, hpaTarget } from './references.js';

const isHpa = (kind: string): boolean => kind === 'HorizontalPodAutoscaler';

export const hpaTargetExists: CheckDefinition = {
  id: 'hpa-target-exists',
  title: 'HPA targets an existing workload',
  family: 'autoscaling',
  severity: 'danger',
  why: 'An HPA whose scaleTargetRef names nothing (a typo, a renamed Deployment) silently scales nothing while everyone believes the app autoscales.',
  fix: 'Point `spec.scaleTargetRef` at the Deployment/StatefulSet by kind, apiVersion and name.',
  run: (manifest, context) => {
    if (!isHpa(manifest.kind)) return [];
    if (hpaTarget(manifest, context.index) !== undefined) return [pass];
    const ref = obj(manifest.doc, 'spec.scaleTargetRef') ?? {};
    return [
      fail(
        `no ${str(ref, 'kind') ?? '(kind missing)'} "${str(ref, 'name') ?? ''}" (${str(ref, 'apiVersion') ?? 'any apiVersion'}) among the manifests for scaleTargetRef`,
        { path: 'spec.scaleTargetRef' },
      ),
    ];
  },
};

export const hpaMinReplicas: CheckDefinition = {
  id: 'hpa-min-replicas',
  title: 'HPA keeps at least two replicas',
  family: 'autoscaling',
  severity: 'warning',
  why: 'An HPA allowed down to one replica recreates the single-replica outage on every drain and spot interruption during quiet hours.',
  fix: 'Set `spec.minReplicas: 2` or more.',
  run: (manifest, context) => {
    if (!isHpa(manifest.kind)) return [];
    const min = optionNumber(context.options, 'minReplicas', 2);
    const value = num(manifest.doc, 'spec.minReplicas') ?? 1;
    return value >= min
      ? [pass]
      : [fail(`minReplicas is ${value}, fewer than ${min}`, { path: 'spec.minReplicas' })];
  },
};

export const hpaMaxAboveMin: CheckDefinition = {
  id: 'hpa-max-above-min',
  title: 'HPA can scale',
  family: 'autoscaling',
  severity: 'warning',
  why: 'With maxReplicas equal to (or below) minReplicas the HPA can never add a pod: the "autoscaled" app is fixed-size.',
  fix: 'Set `maxReplicas` above `minReplicas`, sized for the traffic peak.',
  run: (manifest) => {
    if (!isHpa(manifest.kind)) return [];
    const max = num(manifest.doc, 'spec.maxReplicas');
    const min = num(manifest.doc, 'spec.minReplicas') ?? 1;
    if (max === undefined || max < 1)
      return [fail('maxReplicas is missing or below 1', { path: 'spec.maxReplicas' })];
    return max > min
      ? [pass]
      : [fail(`maxReplicas (${max}) is not above minReplicas (${min})`, { path: 'spec.maxReplicas' })];
  },
};

export const hpaTargetReplicasSet: CheckDefinition = {
  id: 'hpa-target-replicas-set',
  title: 'Autoscaled workloads leave replicas unset',
  family: 'autoscaling',
  severity: 'danger',
  why: "Every `helm upgrade` or `kubectl apply` resets `spec.replicas` to the manifest's value, throwing away what the HPA scaled to: at peak traffic a deploy drops the app to its static count.",
  fix: 'Remove `spec.replicas` from Deployments and StatefulSets that an HPA scales.',
  run: (manifest, context) => {
    if (manifest.kind !== 'Deployment' && manifest.kind !== 'StatefulSet') return [];
    const hpa = hpasFor(manifest, context.index)[0];
    if (hpa === undefined) return [];
    return num(manifest.doc, 'spec.replicas') === undefined
      ? [pass]
      : [
          fail(`spec.replicas is set although HorizontalPodAutoscaler ${hpa.name} scales it`, {
            path: 'spec.replicas',
          }),
        ];
  },
};

function metricType(metric: Json): string {
  return str(metric, 'type') ?? '';
}

/**
 * The talk's lesson: pods that burn CPU at start make the HPA see a spike, add pods, which spike
 * in turn. The HPA's startup sanitization covers only CPU Resource metrics, so External and Pods
 * metrics (the talk's Datadog request rate) get none — a scale-up stabilization window and a rate
 * policy are the only brake.
 */
export const hpaScaleUpBehavior: CheckDefinition = {
  id: 'hpa-scale-up-behavior',
  title: 'HPA scale-up is damped',
  family: 'autoscaling',
  severity: 'warning',
  why: 'Without `behavior.scaleUp` the HPA may double the replicas every 15 seconds on a single sample. Pods that burn CPU while starting (the talk\'s "request 1 core, use 3+ on start") then look like load and trigger more scale-up; External metrics get no startup sanitization at all.',
  fix: 'Add `behavior.scaleUp: {stabilizationWindowSeconds: 60, policies: [{type: Percent, value: 50, periodSeconds: 60}]}` and a scale-down window of 300s or more.',
  run: (manifest, context) => {
    if (!isHpa(manifest.kind)) return [];
    const minWindow = optionNumber(context.options, 'minStabilizationSeconds', 30);
    const minDownWindow = optionNumber(context.options, 'minScaleDownStabilizationSeconds', 300);
    const behavior = obj(manifest.doc, 'spec.behavior');
    const results: CheckResult[] = [];
    const scaleUp = obj(behavior, 'scaleUp');
    if (scaleUp === undefined) {
      results.push(
        fail('no behavior.scaleUp: the default lets replicas double every 15s with no stabilization window', {
          path: 'spec.behavior.scaleUp',
        }),
      );
    } else if (str(scaleUp, 'selectPolicy') !== 'Disabled') {
      const window = num(scaleUp, 'stabilizationWindowSeconds') ?? 0;
      if (window < minWindow) {
        results.push(
          fail(
            `behavior.scaleUp.stabilizationWindowSeconds is ${window}s; below ${minWindow}s a start-up spike scales the app`,
            {
              path: 'spec.behavior.scaleUp.stabilizationWindowSeconds',
            },
          ),
        );
      }
    }
    const scaleDownWindow = num(behavior, 'scaleDown.stabilizationWindowSeconds');
    if (scaleDownWindow !== undefined && scaleDownWindow < minDownWindow) {
      results.push(
        fail(
          `behavior.scaleDown.stabilizationWindowSeconds is ${scaleDownWindow}s: replicas will flap (scale down, then up again)`,
          {
            path: 'spec.behavior.scaleDown.stabilizationWindowSeconds',
          },
        ),
      );
    }
    return results.length === 0 ? [pass] : results;
  },
};

interface ExternalMetric {
  name: string;
  selector: Json | undefined;
  type: string | undefined;
  value: unknown;
}

/** An External metric in autoscaling/v2 terms, whichever API version wrote it. */
function externalMetric(external: Json): ExternalMetric {
  if (external.metricName !== undefined) {
    // autoscaling/v2beta1: metricName, metricSelector, targetValue | targetAverageValue.
    const average = external.targetAverageValue;
    return {
      name: text(external.metricName),
      selector: obj(external, 'metricSelector'),
      type: average !== undefined ? 'AverageValue' : 'Value',
      value: average ?? external.targetValue,
    };
  }
  const target = obj(external, 'target') ?? {};
  const type = str(target, 'type');
  return {
    name: str(external, 'metric.name') ?? '(unnamed)',
    selector: obj(external, 'metric.selector'),
    type,
    value: type === 'Value' ? target.value : target.averageValue,
  };
}

export const hpaExternalMetric: CheckDefinition = {
  id: 'hpa-external-metric',
  title: 'External metric targets are sound',
  family: 'autoscaling',
  severity: 'danger',
  why: 'An External metric is summed over every series its selector matches: without a selector the HPA adds up all environments and services. A `Value` target does not scale with the replica count the way a per-pod `AverageValue` does, and a zero target pins the HPA at max.',
  fix: 'Give each External metric a `selector` (env and service labels, as in the talk) and an `AverageValue` target of what one pod handles.',
  run: (manifest) => {
    if (!isHpa(manifest.kind)) return [];
    const results: CheckResult[] = [];
    let external = 0;
    objs(manifest.doc, 'spec.metrics').forEach((metric, i) => {
      if (metricType(metric) !== 'External') return;
      external += 1;
      const path = `spec.metrics[${i}].external`;
      const m = externalMetric(obj(metric, 'external') ?? {});
      if (m.selector === undefined || Object.keys(m.selector).length === 0) {
        results.push(
          fail(`External metric "${m.name}" has no selector: the HPA sums every series of that name`, {
            path,
          }),
        );
      }
      if (m.type === 'Value') {
        results.push(
          fail(
            `External metric "${m.name}" uses a Value target: the desired count follows ready pods, not load per pod; use AverageValue`,
            {
              path,
              severity: 'warning',
            },
          ),
        );
      }
      const value = parseQuantity(m.value);
      if (value !== undefined && value <= 0) {
        results.push(
          fail(`External metric "${m.name}" has a target of 0: the HPA will sit at maxReplicas`, { path }),
        );
      }
    });
    if (external === 0) return [];
    return results.length === 0 ? [pass] : results;
  },
};

export const autoscalingChecks: CheckDefinition[] = [
  hpaTargetExists,
  hpaMinReplicas,
  hpaMaxAboveMin,
  hpaTargetReplicasSet,
  hpaScaleUpBehavior,
  hpaExternalMetric,
];
