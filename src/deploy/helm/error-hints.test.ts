import { describe, expect, it } from 'vitest';
import { explainHelmError } from './error-hints.js';
import { helmError } from './process.js';

const ctx = { release: 'webapp', namespace: 'shop' };

/** Helm's stderr as `--debug` prints it: the Error block, then the same again as a debug line. */
function stderrOf(...errorLines: string[]): string[] {
  return [
    'install.go:225: 2026-11-26 16:12:29.107389231 +0000 UTC m=+0.10 [debug] Original chart version: ""',
    'Release "webapp" does not exist. Installing it now.',
    ...errorLines,
    '',
    `helm.go:92: 2026-11-26 16:12:28.970294877 +0000 UTC m=+1.42 [debug] ${errorLines[0]?.replace('Error: ', '') ?? ''}`,
    ...errorLines.slice(1),
  ];
}

const error = (...lines: string[]): string => helmError({ stderr: stderrOf(...lines) });

// The messages below are what helm v3.21 printed against kube-apiserver v1.36 on this project's
// local cluster (see test/e2e/deploy-helm-errors.test.ts for the ones the e2e reproduces).
describe("Helm's error, read whole", () => {
  it('keeps the lines of a multi-line error, without the "N errors occurred" header or the debug repeat', () => {
    expect(
      error(
        'Error: 1 error occurred:',
        '\t* services "webapp" is forbidden: exceeded quota: q, requested: services=1, used: services=0, limited: services=0',
      ),
    ).toBe(
      'services "webapp" is forbidden: exceeded quota: q, requested: services=1, used: services=0, limited: services=0',
    );
    expect(
      error(
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):",
        'webapp:',
        "- at '/replicaCount': got string, want integer",
      ),
    ).toBe(
      "values don't meet the specifications of the schema(s) in the following chart(s): webapp: at '/replicaCount': got string, want integer",
    );
    expect(
      error(
        'Error: unable to build kubernetes objects from release manifest: resource mapping not found for name: "x" namespace: "" from "": no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"',
        'ensure CRDs are installed first',
      ),
    ).toMatch(/"monitoring.coreos.com\/v1"; ensure CRDs are installed first$/);
  });

  it('leaves out a stdout line that arrived in the middle of the error', () => {
    expect(
      helmError({
        stderr: [
          'Error: 1 error occurred:',
          'Release "webapp" has been upgraded. Happy Helming!',
          '\t* services "webapp" is forbidden: exceeded quota: q',
        ],
      }),
    ).toBe('services "webapp" is forbidden: exceeded quota: q');
  });

  it('falls back to the last line that is not debug output', () => {
    expect(helmError({ stderr: ['x [debug] y', 'killed', 'a [debug] b'] })).toBe('killed');
    expect(helmError({ stderr: [] })).toBe('');
  });
});

describe('explaining Helm errors', () => {
  const cases: [string, string, RegExp][] = [
    [
      'Unable to continue with install: ConfigMap "webapp" in namespace "shop" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "webapp"',
      'resource-exists',
      /kubectl delete configmap webapp -n shop\), or adopt it into release webapp: kubectl label configmap webapp -n shop app.kubernetes.io\/managed-by=Helm && kubectl annotate configmap webapp -n shop meta.helm.sh\/release-name=webapp meta.helm.sh\/release-namespace=shop$/,
    ],
    [
      'Unable to continue with install: ConfigMap "webapp" in namespace "shop" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "webapp": current value is "billing"',
      'resource-owned',
      /^ConfigMap webapp belongs to Helm release billing/,
    ],
    [
      'cannot patch "webapp" with kind Deployment: Deployment.apps "webapp" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"webapp"}}: field is immutable',
      'immutable-field',
      /^spec\.selector of Deployment webapp cannot change in place: delete it \(kubectl delete deployment webapp -n shop;/,
    ],
    [
      'query: failed to query with labels: secrets is forbidden: User "system:serviceaccount:shop:ci" cannot list resource "secrets" in API group "" in the namespace "shop"',
      'forbidden',
      /^system:serviceaccount:shop:ci may not list secrets in shop: ask for access \(chartroom access request --cluster <cluster> --level edit --namespace shop/,
    ],
    [
      'services "webapp" is forbidden: exceeded quota: q, requested: services=1, used: services=0, limited: services=0',
      'quota-exceeded',
      /ResourceQuota q refuses it \(requested services=1, limit services=0\)/,
    ],
    [
      'unable to build kubernetes objects from release manifest: resource mapping not found for name: "x" namespace: "" from "": no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"; ensure CRDs are installed first',
      'unknown-kind',
      /does not serve ServiceMonitor in monitoring\.coreos\.com\/v1: install its CRDs first/,
    ],
    [
      "values don't meet the specifications of the schema(s) in the following chart(s): webapp: at '/replicaCount': got string, want integer",
      'values-schema',
      /values\.schema\.json/,
    ],
    [
      'template: webapp/templates/sm.yaml:1:10: executing "webapp/templates/sm.yaml" at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper',
      'template-error',
      /\(webapp\/templates\/sm\.yaml\): reproduce it with helm template/,
    ],
    [
      "YAML parse error on webapp/templates/deployment.yaml: error converting YAML to JSON: yaml: line 32: could not find expected ':'",
      'template-error',
      /\(webapp\/templates\/deployment\.yaml\)/,
    ],
    [
      'UPGRADE FAILED: failed to create resource: Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      'invalid-object',
      /^The chart renders spec\.replicas as a string, but it must be int32/,
    ],
    [
      'UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
      'release-busy',
      /helm history webapp -n shop/,
    ],
    [
      'admission webhook "validate.kyverno.svc-fail" denied the request: resource Deployment/shop/webapp was blocked',
      'admission-denied',
      /validate\.kyverno\.svc-fail refused/,
    ],
    [
      'Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp 127.0.0.1:1: connect: connection refused',
      'cluster-unreachable',
      /kubectl cluster-info/,
    ],
    ['path "/nonexistent" not found', 'chart-not-found', /chartroom\.yaml/],
    [
      'UPGRADE FAILED: "webapp" has no deployed releases',
      'no-deployed-release',
      /helm uninstall webapp -n shop/,
    ],
    [
      'pods "webapp-7d9f" is forbidden: failed quota: compute: must specify limits.cpu,requests.cpu',
      'quota-needs-resources',
      /ResourceQuota compute needs every container to set limits\.cpu,requests\.cpu/,
    ],
    [
      'pods "webapp-7d9f" is forbidden: error looking up service account shop/webapp: serviceaccount "webapp" not found',
      'service-account-missing',
      /ServiceAccount webapp, which does not exist \(shop\/webapp\)/,
    ],
    ['something Helm never said before', 'helm-failed', /^Fix what Helm reports/],
  ];
  it.each(cases)('%s', (message, reason, hint) => {
    const explained = explainHelmError(message, ctx);
    expect(explained.reason).toBe(reason);
    expect(explained.hint).toMatch(hint);
  });
});
