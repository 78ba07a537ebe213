/**
 * Helm's own failures (before or outside the rollout the tracker watches) in plain words: which of
 * the usual causes it is, and the command that fixes it. Helm prints the API server's message and
 * stops; the user is left to know that "invalid ownership metadata" means an object made by hand,
 * or that "field is immutable" means the object has to go. The messages matched here are those of
 * Helm 3 and the Kubernetes API server (checked against the real ones in
 * test/e2e/deploy-helm-errors.test.ts).
 */

export interface HelmErrorContext {
  release: string;
  namespace: string;
}

export interface HelmErrorExplanation {
  /** A stable kebab-case name of the cause, e.g. `immutable-field`. */
  reason: string;
  hint: string;
}

type Explainer = (match: RegExpExecArray, error: string, ctx: HelmErrorContext) => HelmErrorExplanation;

/** kubectl's spelling of a kind (it takes the lower-case singular). */
const kubectlKind = (kind: string): string => kind.toLowerCase();

const nsFlag = (ns: string | undefined): string => (ns === undefined || ns === '' ? '' : ` -n ${ns}`);

const explainers: [RegExp, Explainer][] = [
  [
    /(\w+) "([^"]+)"(?: in namespace "([^"]+)")? exists and cannot be imported into the current release/,
    (m, error, ctx) => {
      const [kind = '', name = '', ns] = [m[1], m[2], m[3]];
      const owner = /"meta\.helm\.sh\/release-name" must equal "[^"]+": current value is "([^"]+)"/.exec(
        error,
      )?.[1];
      if (owner !== undefined) {
        return {
          reason: 'resource-owned',
          hint: `${kind} ${name} belongs to Helm release ${owner}: remove it from that release (or uninstall it), or rename this one's.`,
        };
      }
      const ref = `${kubectlKind(kind)} ${name}${nsFlag(ns)}`;
      return {
        reason: 'resource-exists',
        hint: `${kind} ${name} was made outside Helm: delete it (kubectl delete ${ref}), or adopt it into release ${ctx.release}: kubectl label ${ref} app.kubernetes.io/managed-by=Helm && kubectl annotate ${ref} meta.helm.sh/release-name=${ctx.release} meta.helm.sh/release-namespace=${ns ?? ctx.namespace}`,
      };
    },
  ],
  [
    /cannot patch "([^"]+)" with kind (\w+):.*?is invalid: ([\w.[\]-]+): .*field is immutable/,
    (m, _error, ctx) => {
      const [name = '', kind = '', field = ''] = [m[1], m[2], m[3]];
      return {
        reason: 'immutable-field',
        hint: `${field} of ${kind} ${name} cannot change in place: delete it (kubectl delete ${kubectlKind(kind)} ${name}${nsFlag(ctx.namespace)}; what it owns goes with it) and deploy again, or give it a new name.`,
      };
    },
  ],
  [
    /is forbidden: User "([^"]+)" cannot (\w+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)")?/,
    (m, _error, ctx) => {
      const [user = '', verb = '', resource = '', ns] = [m[1], m[2], m[3], m[4]];
      return {
        reason: 'forbidden',
        hint: `${user} may not ${verb} ${resource}${ns === undefined ? '' : ` in ${ns}`}: ask for access (chartroom access request --cluster <cluster> --level edit --namespace ${ns ?? ctx.namespace} --for 8h --reason "deploy ${ctx.release}"), or deploy as an identity that may.`,
      };
    },
  ],
  [
    /exceeded quota: ([^,\s]+), requested: (\S+), used: \S+, limited: (\S+)/,
    (m) => ({
      reason: 'quota-exceeded',
      hint: `The namespace's ResourceQuota ${m[1] ?? ''} refuses it (requested ${m[2] ?? ''}, limit ${m[3] ?? ''}): ask for less (replicas, requests) or raise the quota.`,
    }),
  ],
  [
    /failed quota: ([^:]+): must specify ([\w.,]+)/,
    (m) => ({
      reason: 'quota-needs-resources',
      hint: `The namespace's ResourceQuota ${m[1] ?? ''} needs every container to set ${m[2] ?? ''}: set them in the chart's resources values, or add a LimitRange with defaults.`,
    }),
  ],
  [
    /error looking up service account ([^:\s]+): serviceaccount "([^"]+)" not found/,
    (m) => ({
      reason: 'service-account-missing',
      hint: `The pods run as ServiceAccount ${m[2] ?? ''}, which does not exist (${m[1] ?? ''}): create it, or let the chart create it (serviceAccount.create).`,
    }),
  ],
  [
    /no matches for kind "([^"]+)" in version "([^"]+)"/,
    (m) => ({
      reason: 'unknown-kind',
      hint: `This cluster does not serve ${m[1] ?? ''} in ${m[2] ?? ''}: install its CRDs first (usually its operator's chart), or use an apiVersion this Kubernetes serves (kubectl api-resources).`,
    }),
  ],
  [
    /values don't meet the specifications of the schema/,
    () => ({
      reason: 'values-schema',
      hint: "The values break the chart's values.schema.json at the paths above: fix them in the environment's values files or the --set flags.",
    }),
  ],
  [
    /template: (\S+?):\d+|YAML parse error on (\S+?):|parse error at \(([^:)]+)|error converting YAML to JSON/,
    (m) => {
      const file = m[1] ?? m[2] ?? m[3];
      return {
        reason: 'template-error',
        hint: `The chart does not render with these values${file === undefined ? '' : ` (${file})`}: reproduce it with helm template, then fix the template or the values.`,
      };
    },
  ],
  [
    /cannot unmarshal (\w+) into Go struct field (?:\w+\.)?([\w.]+) of type (\w+)/,
    (m) => ({
      reason: 'invalid-object',
      hint: `The chart renders ${m[2] ?? ''} as a ${m[1] ?? ''}, but it must be ${m[3] ?? ''}: fix the value (--set-string makes strings, --set keeps numbers), or quote/unquote it in the template.`,
    }),
  ],
  [
    /another operation \(install\/upgrade\/rollback\) is in progress/,
    (_m, _error, ctx) => ({
      reason: 'release-busy',
      hint: `Another Helm client is changing release ${ctx.release}, or died while it did: Chartroom recovers a release left by a dead deploy at once and any other after --recover-after; helm history ${ctx.release}${nsFlag(ctx.namespace)} shows who.`,
    }),
  ],
  [
    /admission webhook "([^"]+)" denied the request/,
    (m) => ({
      reason: 'admission-denied',
      hint: `The admission webhook ${m[1] ?? ''} refused an object: change the chart or values to satisfy it, or ask its owners.`,
    }),
  ],
  [
    /Kubernetes cluster unreachable/,
    () => ({
      reason: 'cluster-unreachable',
      hint: 'Check the kubeconfig and context (kubectl cluster-info), and the network or VPN to the cluster.',
    }),
  ],
  [
    /path "[^"]+" not found|chart "[^"]+"(?: version "[^"]*")? not found|failed to download/,
    () => ({
      reason: 'chart-not-found',
      hint: 'Check the chart in chartroom.yaml: a folder relative to the app, or a repository chart (helm repo add, helm repo update).',
    }),
  ],
  [
    /has no deployed releases/,
    (_m, _error, ctx) => ({
      reason: 'no-deployed-release',
      hint: `Release ${ctx.release} has only failed revisions: helm uninstall ${ctx.release}${nsFlag(ctx.namespace)}, then deploy again.`,
    }),
  ],
];

/**
 * The first known cause in a refusal by the API server or Helm, or undefined. The rollout tracker
 * uses it too: a ReplicaSet's FailedCreate carries the same quota and admission messages.
 */
export function explainRefusal(error: string, ctx: HelmErrorContext): HelmErrorExplanation | undefined {
  for (const [pattern, explain] of explainers) {
    const match = pattern.exec(error);
    if (match !== null) return explain(match, error, ctx);
  }
  return undefined;
}

/** The first known cause in Helm's error, or a general hint. */
export function explainHelmError(error: string, ctx: HelmErrorContext): HelmErrorExplanation {
  return (
    explainRefusal(error, ctx) ?? {
      reason: 'helm-failed',
      hint: 'Fix what Helm reports (chart, values or cluster access), then deploy again.',
    }
  );
}
