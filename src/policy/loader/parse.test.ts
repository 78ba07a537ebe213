import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesRoot } from '../conformance/fixtures.js';
import { parseManifests } from './parse.js';

const kubeScore = (file: string): string =>
  readFileSync(resolve(fixturesRoot, 'kube-score', 'testdata', file), 'utf8');

describe('reading manifests', () => {
  it('gives each object its file and first line (kube-score TestFileLocation)', () => {
    const manifests = parseManifests(kubeScore('linenumbers.yaml'), 'testdata/linenumbers.yaml');
    expect(manifests.map((m) => `${m.kind}/${m.name} ${m.source.file}:${m.source.line}`)).toEqual([
      'Deployment/foo testdata/linenumbers.yaml:2',
      'Deployment/foo2 testdata/linenumbers.yaml:12',
    ]);
  });

  it("takes the file from Helm's # Source comments (kube-score TestFileLocationHelm)", () => {
    const manifests = parseManifests(kubeScore('linenumbers-helm.yaml'), 'rendered.yaml');
    expect(manifests.map((m) => `${m.name} ${m.source.file}:${m.source.line}`)).toEqual([
      'foo app1/templates/deployment.yaml:1',
      'foo2 app1/templates/deployment.yaml:1',
    ]);
  });

  it('expands Lists and survives empty documents (kube-score TestList, TestConfigMapMultiDash)', () => {
    expect(parseManifests(kubeScore('list.yaml'), 'list.yaml').map((m) => m.name)).toEqual([
      'list-service-test',
      'list-deployment-test',
    ]);
    expect(parseManifests(kubeScore('configmap-multi-dash.yaml'), 'cm.yaml').map((m) => m.kind)).toEqual([
      'ConfigMap',
    ]);
    expect(parseManifests('---\n---\n# only a comment\n---\n', 'empty.yaml')).toEqual([]);
  });

  it('keeps timestamps and versions as strings, as the API server reads them', () => {
    const [ig] = parseManifests(
      'apiVersion: kops/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: m4\n  creationTimestamp: 2017-10-12T16:28:23Z\nspec: {maxPrice: "0.20"}\n',
      'ig.yaml',
    );
    expect(ig?.doc).toMatchObject({
      metadata: { creationTimestamp: '2017-10-12T16:28:23Z' },
      spec: { maxPrice: '0.20' },
    });
  });

  it('reads JSON too, and reports the line of a YAML error', () => {
    expect(
      parseManifests('{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}}', 's.json')[0]?.name,
    ).toBe('s');
    expect(() =>
      parseManifests('apiVersion: v1\nkind: Pod\n---\nmetadata:\n  name: [x\n', 'bad.yaml'),
    ).toThrow(/^bad\.yaml:\d: not valid YAML/);
  });
});
