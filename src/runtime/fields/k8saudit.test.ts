import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditEvent, extract, k8sAuditSource } from '../testing/conditions.js';
import { falcoFixture, readFalcoFixtureJson } from '../testing/fixtures.js';
import { parseQueryParam } from './uri-query.js';

interface FieldRow {
  name: string;
  is_list: boolean;
  arg: { required: boolean; key: boolean; index: boolean } | null;
}

const table = readFalcoFixtureJson('k8saudit-fields.json') as { fields: FieldRow[] };

function trace(name: string, line = 0) {
  const text = readFileSync(falcoFixture('legacy-suite/trace_files/k8s_audit', `${name}.json`), 'utf8');
  return auditEvent(JSON.parse(text.split('\n')[line] as string));
}

const field = (name: string, event: ReturnType<typeof trace>, arg?: string) =>
  extract(k8sAuditSource, name, event, arg);

describe('the k8saudit and json fields', () => {
  it('are exactly the plugins’ fields, with their list flags and argument kinds', () => {
    const ours = k8sAuditSource.fields().filter((f) => !f.name.startsWith('evt.'));
    expect(ours.map((f) => f.name).sort()).toEqual(table.fields.map((f) => f.name).sort());
    for (const row of table.fields) {
      const mine = k8sAuditSource.field(row.name);
      expect(mine?.list, row.name).toBe(row.is_list);
      expect(mine?.arg ?? null, row.name).toEqual(row.arg);
    }
  });

  it('read the request of an exec', () => {
    const exec = trace('exec_pod');
    expect(field('ka.verb', exec)).toBe('create');
    expect(field('ka.target.subresource', exec)).toBe('exec');
    expect(field('ka.uri.param', exec, 'command')).toBe('bash');
    expect(field('ka.uri.param', exec, 'container')).toBe('nginx1');
    expect(field('ka.uri.param', exec, 'missing')).toBeUndefined();
    expect(field('ka.response.code', exec)).toBe('101');
    expect(field('ka.user.groups', exec)).toEqual(['system:masters', 'system:authenticated']);
    expect(field('ka.auth.decision', exec)).toBe('allow');
    expect(field('ka.auth.reason', exec)).toBe('');
    expect(field('ka.sourceips', exec)).toEqual(['192.168.99.1']);
    expect(field('ka.target.pod.name', exec)).toBeUndefined();
  });

  it('read pod specs: containers, privileges, volumes', () => {
    const privileged = trace('create_nginx_pod_privileged');
    expect(field('ka.req.pod.containers.image', privileged)).toEqual(['nginx']);
    expect(field('ka.req.pod.containers.privileged', privileged)).toEqual(['true']);
    expect(field('ka.req.container.privileged', privileged)).toBe('true');
    expect(field('ka.req.pod.containers.image.repository', privileged)).toEqual(['nginx']);
    expect(field('ka.req.pod.initContainers.image', privileged)).toBeUndefined();
    expect(field('ka.req.pod.containers.eff_run_as_user', privileged)).toEqual(['0']);
    expect(field('ka.target.pod.name', privileged)).toMatch(/^nginx-deployment-/);

    const mount = trace('create_nginx_pod_sensitive_mount');
    expect(field('ka.req.pod.volumes.hostpath', mount)).toEqual(['/etc']);
    expect(field('ka.req.volume.hostpath', mount, '/etc')).toBe('true');
    expect(field('ka.req.volume.hostpath', mount, '/e*')).toBe('true');
    expect(field('ka.req.volume.hostpath', mount, '/proc')).toBe('false');
    expect(field('ka.req.pod.volumes.volume_type', mount)).toEqual(['hostPath']);
    expect(field('ka.req.pod.containers.privileged', mount)).toBeUndefined();
  });

  it('read bindings, roles, services and configmaps', () => {
    const binding = trace('attach_cluster_admin_role');
    expect(field('ka.req.binding.role', binding)).toBe('cluster-admin');
    expect(field('ka.req.binding.subjects.user_names', binding)).toEqual(['minikube']);
    expect(field('ka.req.binding.subjects.group_names', binding)).toBeUndefined();
    expect(field('ka.req.binding.subjects', binding)).toEqual([
      '{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"minikube"}',
    ]);

    const role = trace('create_cluster_role_wildcard_verbs');
    expect(field('ka.req.role.rules.verbs', role)).toEqual(['*', 'get']);
    expect(field('ka.req.role.rules.verbs', role, '1')).toEqual(['get']);
    expect(field('ka.req.role.rules.resources', role)).toEqual(['pods']);
    expect(field('ka.req.role.rules.nonResourceURLs', role)).toHaveLength(13);

    const service = trace('create_nginx_service_nodeport');
    expect(field('ka.req.service.type', service)).toBe('NodePort');
    expect(field('ka.req.service.ports', service)).toEqual([
      '[{"nodePort":30080,"port":80,"protocol":"TCP","targetPort":80}]',
    ]);

    const configmap = trace('create_configmap_sensitive_values');
    expect(field('ka.req.configmap.name', configmap)).toBe('my-config');
    expect(field('ka.req.configmap.obj', configmap)).toContain('aws_access_key_id = MY-ID');
  });

  it('leave ka.* fields unavailable without auditID, while json fields still work', () => {
    const notAudit = auditEvent({ stage: 'ResponseComplete', verb: 'get', a: { 'b/c': [1, { d: null }] } });
    expect(field('ka.verb', notAudit)).toBeUndefined();
    expect(field('jevt.value', notAudit, '/stage')).toBe('ResponseComplete');
    expect(field('json.value', notAudit, '/a/b~1c/1/d')).toBe('null');
    expect(field('json.value', notAudit, '/a/b~1c')).toBe('[1,{"d":null}]');
    expect(field('json.value', notAudit, '/a/missing')).toBeUndefined();
    expect(field('jevt.rawtime', notAudit)).toBe('1540000000000000000');
    expect(field('json.obj', notAudit)).toContain('\n  "stage": "ResponseComplete"');
  });

  it('parse query parameters with Go’s rules', () => {
    expect(parseQueryParam('/exec?command=ls&command=-l&tty=true', 'command')).toBe('ls');
    expect(parseQueryParam('/x?a=b+c%2Fd', 'a')).toBe('b c/d');
    expect(parseQueryParam('/x?a=%zz', 'a')).toBeUndefined();
    expect(parseQueryParam('/x?a=1;b=2', 'a')).toBeUndefined();
    expect(parseQueryParam('/x#?a=1', 'a')).toBeUndefined();
  });

  it('give the generic evt.* fields', () => {
    const event = auditEvent({ auditID: 'x' }, 1_540_475_929_730_588_000n);
    expect(field('evt.time.iso8601', event)).toBe('2018-10-25T13:58:49.730588000+0000');
    expect(field('evt.rawtime', event)).toBe(1_540_475_929_730_588_000n);
    expect(field('evt.rawtime.s', event)).toBe(1_540_475_929n);
    expect(field('evt.source', event)).toBe('k8s_audit');
    expect(field('evt.pluginname', event)).toBe('k8saudit');
    expect(field('evt.hostname', event)).toBe('test-host');
    expect(field('evt.time', event)).toMatch(/^\d{2}:\d{2}:49\.730588000$/);
  });
});
