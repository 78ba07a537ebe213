/** Workload shape: selectors, CronJob/Job settings, env, labels, service accounts, namespaces. */
import { labelSelectorMatches } from '../../kube/selector.js';
import { num, obj, objs, str } from '../json.js';
import type { CheckDefinition } from '../model.js';
import { isWorkload, podTemplateOf, selectorFrom } from '../workload.js';
import { fail, pass, perContainer, perPod, skip } from './helpers.js';
import { isTargetedByService } from './references.js';
import { optionBool } from './helpers.js';

export const deploymentStrategy: CheckDefinition = {
  id: 'deployment-strategy',
  title: 'Deployments roll, not recreate',
  family: 'rollout',
  severity: 'warning',
  why: '`Recreate` stops every pod before starting the new ones: each deploy of a Service-backed app is an outage.',
  fix: 'Use `strategy.type: RollingUpdate` (see rolling-update-bounds for the values).',
  run: (manifest, context) => {
    if (manifest.kind !== 'Deployment' && manifest.kind !== 'DeploymentConfig') return [];
    if (
      optionBool(context.options, 'onlyIfTargetedByService', true) &&
      !isTargetedByService(manifest, context.index)
    ) {
      return [skip('not targeted by a Service')];
    }
    const type = str(manifest.doc, 'spec.strategy.type');
    return type === undefined || type === 'RollingUpdate' || type === 'Rolling'
      ? [pass]
      : [fail(`Deployment uses the ${type} strategy`, { path: 'spec.strategy.type' })];
  },
};

export const selectorMatchesTemplate: CheckDefinition = {
  id: 'selector-matches-template',
  title: 'Selector matches the pod template',
  family: 'workloads',
  severity: 'danger',
  why: 'A workload whose selector does not match its own template labels is rejected by the API server (apps/v1) or adopts pods it did not create.',
  fix: 'Make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`.',
  run: (manifest) => {
    const bare = manifest.kind === 'DeploymentConfig' || manifest.kind === 'ReplicationController';
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(manifest.kind) && !bare)
      return [];
    const template = podTemplateOf(manifest);
    const raw = obj(manifest.doc, 'spec.selector');
    if (template === undefined || raw === undefined)
      return manifest.kind === 'Job' || bare ? [] : [fail(`${manifest.kind} has no spec.selector`)];
    const selector = selectorFrom(raw, bare);
    return selector !== undefined && labelSelectorMatches(selector, template.labels)
      ? [pass]
      : [fail('the selector does not match the pod template labels', { path: 'spec.selector' })];
  },
};

export const cronJobDeadline: CheckDefinition = {
  id: 'cronjob-deadline',
  title: 'CronJob has a starting deadline',
  family: 'workloads',
  severity: 'warning',
  why: 'Without startingDeadlineSeconds a controller that was down counts every missed schedule; after 100 misses the CronJob stops scheduling for good.',
  fix: 'Set `spec.startingDeadlineSeconds` (e.g. 200).',
  run: (manifest) => {
    if (manifest.kind !== 'CronJob') return [];
    return (num(manifest.doc, 'spec.startingDeadlineSeconds') ?? 0) > 0
      ? [pass]
      : [fail('CronJob has no startingDeadlineSeconds')];
  },
};

export const cronJobRestartPolicy: CheckDefinition = {
  id: 'cronjob-restart-policy',
  title: 'CronJob restart policy is valid',
  family: 'workloads',
  severity: 'danger',
  why: 'Job pods must use restartPolicy OnFailure or Never; anything else is rejected when the Job is created, long after the CronJob was applied.',
  fix: 'Set `spec.jobTemplate.spec.template.spec.restartPolicy: OnFailure` (or `Never`).',
  run: (manifest) => {
    if (manifest.kind !== 'CronJob') return [];
    const policy = str(manifest.doc, 'spec.jobTemplate.spec.template.spec.restartPolicy');
    return policy === 'OnFailure' || policy === 'Never'
      ? [pass]
      : [fail(`CronJob pods have restartPolicy ${policy ?? '(unset: Always)'}`)];
  },
};

export const jobTtl: CheckDefinition = {
  id: 'job-ttl',
  title: 'Finished Jobs are cleaned up',
  family: 'workloads',
  severity: 'warning',
  why: "Without ttlSecondsAfterFinished standalone Jobs and their pods pile up in etcd and in `kubectl get pods`; for a CronJob's Jobs the history limits do that job, and a TTL on top makes the outcome depend on whichever fires first.",
  fix: 'Set `spec.ttlSecondsAfterFinished` on standalone Jobs; on CronJobs use `successfulJobsHistoryLimit`/`failedJobsHistoryLimit` instead.',
  run: (manifest) => {
    if (manifest.kind === 'CronJob') {
      return num(manifest.doc, 'spec.jobTemplate.spec.ttlSecondsAfterFinished') === undefined
        ? [pass]
        : [
            fail(
              "the CronJob's Jobs set ttlSecondsAfterFinished, which fights successfulJobsHistoryLimit/failedJobsHistoryLimit",
            ),
          ];
    }
    if (manifest.kind !== 'Job') return [];
    const owned = objs(manifest.doc, 'metadata.ownerReferences').some((o) => str(o, 'kind') === 'CronJob');
    if (owned) return [];
    return num(manifest.doc, 'spec.ttlSecondsAfterFinished') === undefined
      ? [fail('Job has no ttlSecondsAfterFinished')]
      : [pass];
  },
};

export const restartPolicy: CheckDefinition = {
  id: 'restart-policy',
  title: 'Pods restart on failure',
  family: 'workloads',
  severity: 'warning',
  optional: true,
  why: 'A pod with restartPolicy Never stays dead after one crash.',
  fix: 'Use `restartPolicy: Always` (services) or `OnFailure` (batch).',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const policy = str(template.spec, 'restartPolicy');
      return policy === 'Never' ? `pod has restartPolicy Never` : undefined;
    }),
};

export const envDuplicates: CheckDefinition = {
  id: 'env-duplicates',
  title: 'Environment variables are not duplicated',
  family: 'configuration',
  severity: 'danger',
  why: 'With the same env name twice only the last value counts; `kubectl apply` merges by name and the result depends on the order of edits.',
  fix: 'Remove the duplicate entry.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const seen = new Set<string>();
      const duplicated = new Set<string>();
      for (const env of objs(ref.container, 'env')) {
        const name = str(env, 'name') ?? '';
        if (seen.has(name)) duplicated.add(name);
        seen.add(name);
      }
      return duplicated.size === 0
        ? undefined
        : `container "${ref.name}" has duplicated env ${[...duplicated].map((n) => `"${n}"`).join(', ')}`;
    }),
};

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const labelValues: CheckDefinition = {
  id: 'label-values',
  title: 'Label values are valid',
  family: 'configuration',
  severity: 'danger',
  why: 'The API server rejects a label value longer than 63 characters or with characters outside [A-Za-z0-9-_.].',
  fix: 'Shorten or sanitize the value (a template usually needs `| trunc 63 | trimSuffix "-"`).',
  run: (manifest) => {
    const bad = Object.entries(manifest.labels).filter(
      ([, value]) => value.length > 63 || !labelValue.test(value),
    );
    return bad.length === 0
      ? [pass]
      : [
          fail(`invalid label value for ${bad.map(([k, v]) => `${k}="${v}"`).join(', ')}`, {
            path: 'metadata.labels',
          }),
        ];
  },
};

export const instanceLabel: CheckDefinition = {
  id: 'instance-label',
  title: 'app.kubernetes.io/instance matches the name',
  family: 'configuration',
  severity: 'warning',
  optional: true,
  why: 'Dashboards and `chartroom` group objects by app.kubernetes.io/instance; a label copied from another release attributes the object to the wrong app.',
  fix: 'Set `app.kubernetes.io/instance` to the release name (Helm: `{{ .Release.Name }}`).',
  run: (manifest) => {
    if (!isWorkload(manifest)) return [];
    return manifest.labels['app.kubernetes.io/instance'] === manifest.name
      ? [pass]
      : [fail(`label app.kubernetes.io/instance is not "${manifest.name}"`)];
  },
};

export const serviceAccountExists: CheckDefinition = {
  id: 'service-account-exists',
  title: 'Service account exists',
  family: 'configuration',
  severity: 'danger',
  why: 'A pod naming a service account that does not exist is never created: the ReplicaSet reports an error nobody sees and the rollout hangs.',
  fix: 'Add the ServiceAccount to the chart, or fix the name.',
  run: (manifest, context) =>
    perPod(manifest, (template) => {
      const name = str(template.spec, 'serviceAccountName') ?? str(template.spec, 'serviceAccount');
      if (name === undefined || name === '' || name === 'default') return undefined;
      return context.index.find('ServiceAccount', name, manifest.namespace) === undefined
        ? `serviceAccount "${name}" not found`
        : undefined;
    }),
};

export const deprecatedServiceAccountField: CheckDefinition = {
  id: 'deprecated-service-account-field',
  title: 'serviceAccountName, not serviceAccount',
  family: 'configuration',
  severity: 'warning',
  why: '`serviceAccount` is a deprecated alias that tools handle inconsistently.',
  fix: 'Rename the field to `serviceAccountName`.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const value = str(template.spec, 'serviceAccount');
      return value === undefined
        ? undefined
        : `serviceAccount is specified (${value}), but this field is deprecated; use serviceAccountName instead`;
    }),
};

export const defaultServiceAccount: CheckDefinition = {
  id: 'default-service-account',
  title: 'Pods use their own service account',
  family: 'configuration',
  severity: 'warning',
  optional: true,
  why: 'Everything in the namespace shares the `default` account: RBAC granted for one app is granted to all.',
  fix: 'Create a ServiceAccount per app and set `serviceAccountName`.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const name = str(template.spec, 'serviceAccountName') ?? str(template.spec, 'serviceAccount');
      return name === undefined || name === 'default' ? 'pod uses the default service account' : undefined;
    }),
};

export const useNamespace: CheckDefinition = {
  id: 'use-namespace',
  title: 'Not in the default namespace',
  family: 'configuration',
  severity: 'warning',
  optional: true,
  why: 'Objects in `default` share it with everything deployed by mistake; quotas and RBAC cannot tell apps apart.',
  fix: 'Give each app its own namespace.',
  run: (manifest) => {
    if (!isWorkload(manifest) && manifest.kind !== 'Service') return [];
    return manifest.namespace === undefined || manifest.namespace === 'default'
      ? [fail('object in default namespace')]
      : [pass];
  },
};

export const workloadChecks: CheckDefinition[] = [
  deploymentStrategy,
  selectorMatchesTemplate,
  cronJobDeadline,
  cronJobRestartPolicy,
  jobTtl,
  restartPolicy,
  envDuplicates,
  labelValues,
  instanceLabel,
  serviceAccountExists,
  deprecatedServiceAccountField,
  defaultServiceAccount,
  useNamespace,
];
