/**
 * The `ka.*` fields of Falco's k8saudit plugin (0.18.0), read from a Kubernetes audit Event. The
 * semantics follow the plugin (falcosecurity/plugins `plugins/k8saudit/pkg/k8saudit/extract.go`):
 * events without `auditID` have no ka.* fields, non-string values read as JSON text, list fields
 * with no element are "not available". Three fields deliberately differ from the plugin, where the
 * plugin reads a path that never exists (see docs/runtime.md, "Differences from Falco").
 */
import {
  asText,
  child,
  fanOut,
  missing,
  path,
  textsOrMissing,
  textsSkippingMissing,
  type Json,
} from './json-access.js';
import { parseQueryParam } from './uri-query.js';
import type { BoundArg, Extractor, FieldDefinition, FieldValue, RuntimeEvent } from './types.js';

type Reader = (data: Json, arg: BoundArg | undefined) => FieldValue | undefined;

const indexArg = { required: false, key: false, index: true };
const keyArg = { required: true, key: true, index: false };

/** Every ka.* field is unavailable on JSON that is not an audit event (no auditID). */
function auditExtractor(read: Reader, arg: BoundArg | undefined): Extractor {
  return (event: RuntimeEvent) => {
    const data = event.data as Record<string, unknown> | null;
    if (typeof data !== 'object' || data === null || data.auditID === undefined) return undefined;
    return read(data, arg);
  };
}

function define(
  name: string,
  description: string,
  read: Reader,
  shape: { list?: boolean; arg?: FieldDefinition['arg'] } = {},
): FieldDefinition {
  return {
    name,
    type: 'string',
    list: shape.list ?? false,
    ...(shape.arg === undefined ? {} : { arg: shape.arg }),
    description,
    bind: (arg) => auditExtractor(read, arg),
  };
}

function nonEmpty(values: readonly string[] | typeof missing): readonly string[] | undefined {
  return values === missing || values.length === 0 ? undefined : values;
}

/** A scalar at a fixed path. */
function scalarAt(name: string, keys: readonly string[], description: string): FieldDefinition {
  return define(name, description, (data) => {
    const value = path(data, keys);
    return value === missing ? undefined : asText(value);
  });
}

/** A list at a fixed path: the array's elements as text (the plugin's extractFromKeys on a list field). */
function listAt(name: string, keys: readonly string[], description: string): FieldDefinition {
  return define(
    name,
    description,
    (data) => {
      const value = path(data, keys);
      if (!Array.isArray(value)) return undefined;
      return nonEmpty(value.map(asText));
    },
    { list: true },
  );
}

function subjectNames(data: Json, kind: 'User' | 'Group' | 'ServiceAccount', withNamespace: boolean) {
  const subjects = path(data, ['requestObject', 'subjects']);
  if (subjects === missing) return undefined;
  if (!Array.isArray(subjects)) return undefined;
  const names: string[] = [];
  for (const subject of subjects) {
    const subjectKind = child(subject, 'kind');
    const subjectName = child(subject, 'name');
    if (subjectKind === missing || subjectName === missing || asText(subjectKind) !== kind) continue;
    if (withNamespace) {
      const namespace = child(subject, 'namespace');
      if (namespace === missing) continue;
      names.push(`${asText(namespace)}:${asText(subjectName)}`);
    } else {
      names.push(asText(subjectName));
    }
  }
  return nonEmpty(names);
}

/** The image repository as the plugin computes it: before the first ':' and then before '@'. */
function repository(image: string): string {
  return (image.split(':')[0] ?? '').split('@')[0] ?? '';
}

function containerValues(data: Json, list: string, index: number | undefined, ...keys: string[]) {
  return fanOut(data, ['requestObject', 'spec', list, ...keys], index);
}

function images(data: Json, list: string, index: number | undefined) {
  const values = containerValues(data, list, index, 'image');
  return values === missing ? missing : textsOrMissing(values);
}

/** `command`/`args`: each container's string array joined with spaces. */
function joinedArrays(data: Json, list: string, index: number | undefined, key: string) {
  const values = containerValues(data, list, index, key);
  if (values === missing) return undefined;
  const out: string[] = [];
  for (const value of values) {
    if (value === missing) continue;
    if (!Array.isArray(value) || value.some((part) => typeof part !== 'string')) return undefined;
    out.push(value.join(' '));
  }
  return nonEmpty(out);
}

function hostPorts(data: Json, list: string, index: number | undefined) {
  const values = containerValues(data, list, index, 'ports');
  if (values === missing) return undefined;
  const out: string[] = [];
  for (const ports of values) {
    if (ports === missing) continue;
    if (!Array.isArray(ports)) return undefined;
    for (const port of ports) {
      const host = child(port, 'hostPort');
      const container = child(port, 'containerPort');
      if (host !== missing) out.push(asText(host));
      else if (container !== missing) out.push(asText(container));
    }
  }
  return nonEmpty(out);
}

/**
 * The uid/gid a container starts with: its own securityContext value, else the pod's, else "0".
 * (The plugin reads `spec.<key>` and `containers[].<key>`, paths Kubernetes never sets.)
 */
function effective(data: Json, list: string, index: number | undefined, key: string) {
  const podValue = path(data, ['requestObject', 'spec', 'securityContext', key]);
  const fallback = podValue === missing ? '0' : asText(podValue);
  const values = containerValues(data, list, index, 'securityContext', key);
  if (values === missing) return undefined;
  return nonEmpty(values.map((v) => (v === missing ? fallback : asText(v))));
}

function securityContextList(data: Json, list: string, index: number | undefined, ...keys: string[]) {
  const values = containerValues(data, list, index, 'securityContext', ...keys);
  return values === missing ? undefined : nonEmpty(textsSkippingMissing(values));
}

/** The per-container fields, generated for containers, initContainers and ephemeralContainers. */
/** Ephemeral containers cannot declare ports, so they have no host_port field. */
function containerFields(list: string, label: string, withHostPort = true): FieldDefinition[] {
  const prefix = `ka.req.pod.${list}`;
  const d = (
    suffix: string,
    description: string,
    read: (data: Json, index: number | undefined) => FieldValue | undefined,
  ) =>
    define(`${prefix}.${suffix}`, description, (data, arg) => read(data, arg?.index), {
      list: true,
      arg: indexArg,
    });
  const imageFields = [
    d('image', `The images of the pod's ${label}.`, (data, i) => nonEmpty(images(data, list, i))),
    d(
      'image.repository',
      `The repository part of the images of the pod's ${label} (e.g. falcosecurity/falco).`,
      (data, i) => {
        const all = images(data, list, i);
        return nonEmpty(all === missing ? missing : all.map(repository));
      },
    ),
  ];
  const nameField = d('name', `The names of the pod's ${label}.`, (data, i) => {
    const values = containerValues(data, list, i, 'name');
    return nonEmpty(values === missing ? missing : textsOrMissing(values));
  });
  const rest = [
    d('command', `The commands of the pod's ${label}, each joined with spaces.`, (data, i) =>
      joinedArrays(data, list, i, 'command'),
    ),
    d('args', `The args of the pod's ${label}, each joined with spaces.`, (data, i) =>
      joinedArrays(data, list, i, 'args'),
    ),
    d('privileged', `The privileged flag of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'privileged'),
    ),
    d('allow_privilege_escalation', `The allowPrivilegeEscalation flag of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'allowPrivilegeEscalation'),
    ),
    d('read_only_fs', `The readOnlyRootFilesystem flag of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'readOnlyRootFilesystem'),
    ),
    d('run_as_user', `The runAsUser uid of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'runAsUser'),
    ),
    d(
      'eff_run_as_user',
      `The uid the pod's ${label} start with: their runAsUser, else the pod's, else 0.`,
      (data, i) => effective(data, list, i, 'runAsUser'),
    ),
    d('run_as_group', `The runAsGroup gid of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'runAsGroup'),
    ),
    d(
      'eff_run_as_group',
      `The gid the pod's ${label} start with: their runAsGroup, else the pod's, else 0.`,
      (data, i) => effective(data, list, i, 'runAsGroup'),
    ),
    d('proc_mount', `The procMount type of the pod's ${label}.`, (data, i) =>
      securityContextList(data, list, i, 'procMount'),
    ),
    d(
      'add_capabilities',
      `The capabilities added to the pod's ${label} (one JSON array per container).`,
      (data, i) => securityContextList(data, list, i, 'capabilities', 'add'),
    ),
    d('host_port', `The hostPort (else containerPort) values of the pod's ${label}.`, (data, i) =>
      hostPorts(data, list, i),
    ),
  ];
  return [nameField, ...imageFields, ...rest.filter((f) => withHostPort || !f.name.endsWith('.host_port'))];
}

function firstContainer(data: Json, read: (image: string) => string) {
  const all = images(data, 'containers', 0);
  if (all === missing || all.length === 0) return undefined;
  return read(all[0] as string);
}

function rulesField(name: string, key: string, description: string): FieldDefinition {
  return define(
    name,
    description,
    (data, arg) => {
      const values = fanOut(data, ['requestObject', 'rules', key], arg?.index);
      if (values === missing) return undefined;
      const out: string[] = [];
      for (const value of values) {
        if (Array.isArray(value)) for (const item of value) out.push(asText(item));
      }
      return nonEmpty(out);
    },
    { list: true, arg: indexArg },
  );
}

function volumesPaths(data: Json, index: number | undefined, ...keys: string[]) {
  const values = fanOut(data, ['requestObject', 'spec', 'volumes', ...keys], index);
  return values === missing ? undefined : nonEmpty(textsSkippingMissing(values));
}

export const k8sauditFields: readonly FieldDefinition[] = [
  scalarAt('ka.auditid', ['auditID'], 'The unique id of the audit event.'),
  scalarAt(
    'ka.stage',
    ['stage'],
    'Stage of the request (RequestReceived, ResponseStarted, ResponseComplete, Panic).',
  ),
  scalarAt(
    'ka.auth.decision',
    ['annotations', 'authorization.k8s.io/decision'],
    'The authorization decision.',
  ),
  scalarAt('ka.auth.reason', ['annotations', 'authorization.k8s.io/reason'], 'The authorization reason.'),
  scalarAt(
    'ka.auth.openshift.decision',
    ['annotations', 'authentication.openshift.io/decision'],
    'The OpenShift authentication decision.',
  ),
  scalarAt(
    'ka.validations.admission.policy.failure',
    ['annotations', 'validation.policy.admission.k8s.io/validation_failure'],
    'The failure reported by a ValidatingAdmissionPolicy.',
  ),
  scalarAt(
    'ka.security.pod.violations',
    ['annotations', 'pod-security.kubernetes.io/audit-violations'],
    'The Pod Security audit violations.',
  ),
  scalarAt(
    'ka.auth.openshift.username',
    ['annotations', 'authentication.openshift.io/username'],
    'The OpenShift authenticated user name.',
  ),
  scalarAt('ka.user.name', ['user', 'username'], 'The user name performing the request.'),
  listAt('ka.user.groups', ['user', 'groups'], 'The groups of the user performing the request.'),
  scalarAt('ka.impuser.name', ['impersonatedUser', 'username'], 'The impersonated user name.'),
  scalarAt('ka.verb', ['verb'], 'The action performed (get, list, create, update, patch, delete, …).'),
  scalarAt('ka.uri', ['requestURI'], 'The request URI as sent by the client.'),
  define(
    'ka.uri.param',
    'The first value of a query parameter of the request URI: ka.uri.param[command].',
    (data, arg) => {
      const uri = path(data, ['requestURI']);
      if (uri === missing || arg === undefined) return undefined;
      return parseQueryParam(asText(uri), arg.key);
    },
    { arg: keyArg },
  ),
  scalarAt('ka.target.name', ['objectRef', 'name'], 'The target object name.'),
  scalarAt('ka.target.namespace', ['objectRef', 'namespace'], 'The target object namespace.'),
  scalarAt('ka.target.resource', ['objectRef', 'resource'], 'The target object resource.'),
  scalarAt('ka.target.subresource', ['objectRef', 'subresource'], 'The target object subresource.'),
  define('ka.target.pod.name', 'The pod name, for requests on pods without subresource.', (data) => {
    const stringAt = (keys: string[]) => {
      const value = path(data, keys);
      return typeof value === 'string' ? value : '';
    };
    if (stringAt(['objectRef', 'resource']) !== 'pods' || stringAt(['objectRef', 'subresource']) !== '')
      return undefined;
    const name = path(data, ['responseObject', 'metadata', 'name']);
    return name === missing ? undefined : asText(name);
  }),
  listAt(
    'ka.req.binding.subjects',
    ['requestObject', 'subjects'],
    'The subjects of a (cluster) role binding, as JSON.',
  ),
  define(
    'ka.req.binding.subjects.user_names',
    'The User subject names of a binding.',
    (d) => subjectNames(d, 'User', false),
    {
      list: true,
    },
  ),
  define(
    'ka.req.binding.subjects.serviceaccount_names',
    'The ServiceAccount subject names of a binding.',
    (d) => subjectNames(d, 'ServiceAccount', false),
    { list: true },
  ),
  define(
    'ka.req.binding.subjects.serviceaccount_ns_names',
    'The ServiceAccount subjects of a binding as namespace:name.',
    (d) => subjectNames(d, 'ServiceAccount', true),
    { list: true },
  ),
  define(
    'ka.req.binding.subjects.group_names',
    'The Group subject names of a binding.',
    (d) => subjectNames(d, 'Group', false),
    {
      list: true,
    },
  ),
  scalarAt('ka.req.binding.role', ['requestObject', 'roleRef', 'name'], 'The role a binding refers to.'),
  define(
    'ka.req.binding.subject.has_name',
    'Deprecated; kept for old rules. Always "true", as in the plugin.',
    () => 'true',
    {
      arg: keyArg,
    },
  ),
  scalarAt('ka.req.configmap.name', ['objectRef', 'name'], 'The name of the configmap in the request.'),
  scalarAt(
    'ka.req.configmap.obj',
    ['requestObject', 'data'],
    'The data of the configmap in the request, as JSON.',
  ),
  ...containerFields('containers', 'containers'),
  define('ka.req.container.image', 'Deprecated: the image of the first container.', (data) =>
    firstContainer(data, (i) => i),
  ),
  define(
    'ka.req.container.image.repository',
    'Deprecated: the image repository of the first container.',
    (data) => firstContainer(data, repository),
  ),
  define('ka.req.container.privileged', 'Deprecated: "true" when any container is privileged.', (data) => {
    const values = containerValues(data, 'containers', undefined, 'securityContext', 'privileged');
    if (values === missing) return undefined;
    return values.some((v) => v === true) ? 'true' : 'false';
  }),
  scalarAt(
    'ka.req.pod.host_ipc',
    ['requestObject', 'spec', 'hostIPC'],
    'The hostIPC flag of the pod in the request.',
  ),
  scalarAt(
    'ka.req.pod.host_network',
    ['requestObject', 'spec', 'hostNetwork'],
    'The hostNetwork flag of the pod in the request.',
  ),
  scalarAt(
    'ka.req.container.host_network',
    ['requestObject', 'spec', 'hostNetwork'],
    'Deprecated alias of ka.req.pod.host_network.',
  ),
  scalarAt(
    'ka.req.pod.host_pid',
    ['requestObject', 'spec', 'hostPID'],
    'The hostPID flag of the pod in the request.',
  ),
  scalarAt(
    'ka.req.pod.run_as_user',
    ['requestObject', 'spec', 'securityContext', 'runAsUser'],
    'The pod-level runAsUser.',
  ),
  scalarAt(
    'ka.req.pod.run_as_group',
    ['requestObject', 'spec', 'securityContext', 'runAsGroup'],
    'The pod-level runAsGroup.',
  ),
  listAt('ka.req.role.rules', ['requestObject', 'rules'], 'The rules of a (cluster) role, as JSON.'),
  rulesField('ka.req.role.rules.apiGroups', 'apiGroups', 'The API groups of the rules of a (cluster) role.'),
  rulesField(
    'ka.req.role.rules.nonResourceURLs',
    'nonResourceURLs',
    'The non-resource URLs of the rules of a (cluster) role.',
  ),
  rulesField('ka.req.role.rules.verbs', 'verbs', 'The verbs of the rules of a (cluster) role.'),
  rulesField('ka.req.role.rules.resources', 'resources', 'The resources of the rules of a (cluster) role.'),
  scalarAt(
    'ka.req.pod.fs_group',
    ['requestObject', 'spec', 'securityContext', 'fsGroup'],
    'The pod-level fsGroup.',
  ),
  listAt(
    'ka.req.pod.supplemental_groups',
    ['requestObject', 'spec', 'securityContext', 'supplementalGroups'],
    'The pod-level supplementalGroups.',
  ),
  scalarAt(
    'ka.req.service.type',
    ['requestObject', 'spec', 'type'],
    'The type of the service in the request.',
  ),
  define(
    'ka.req.service.ports',
    'The ports of the service in the request, as one JSON array.',
    (data) => {
      const ports = path(data, ['requestObject', 'spec', 'ports']);
      return ports === missing ? undefined : [asText(ports)];
    },
    { list: true, arg: indexArg },
  ),
  define(
    'ka.req.pod.volumes.hostpath',
    'The hostPath paths of the pod volumes.',
    (data, arg) => volumesPaths(data, arg?.index, 'hostPath', 'path'),
    {
      list: true,
      arg: indexArg,
    },
  ),
  define(
    'ka.req.volume.hostpath',
    'Deprecated: "true" when a hostPath volume uses the path in the argument (a trailing * matches a prefix).',
    (data, arg) => {
      const paths = fanOut(data, ['requestObject', 'spec', 'volumes', 'hostPath', 'path'], undefined);
      if (paths === missing || arg === undefined) return undefined;
      const wanted = arg.key;
      const prefix = wanted.endsWith('*') ? wanted.slice(0, -1) : undefined;
      const used = textsSkippingMissing(paths).some(
        (p) => (prefix !== undefined && p.startsWith(prefix)) || p === wanted,
      );
      return used ? 'true' : 'false';
    },
    { arg: keyArg },
  ),
  define(
    'ka.req.pod.volumes.flexvolume_driver',
    'The flexVolume drivers of the pod volumes.',
    (data, arg) => volumesPaths(data, arg?.index, 'flexVolume', 'driver'),
    { list: true, arg: indexArg },
  ),
  define(
    'ka.req.pod.volumes.volume_type',
    'The volume types of the pod volumes (each volume key other than name).',
    (data, arg) => {
      const volumes = fanOut(data, ['requestObject', 'spec', 'volumes', ''], arg?.index);
      if (volumes === missing) return undefined;
      const out: string[] = [];
      for (const volume of volumes) {
        if (typeof volume !== 'object' || volume === null || Array.isArray(volume)) continue;
        for (const key of Object.keys(volume)) if (key !== 'name') out.push(key);
      }
      return nonEmpty(out);
    },
    { list: true, arg: indexArg },
  ),
  scalarAt('ka.resp.name', ['responseObject', 'metadata', 'name'], 'The name of the response object.'),
  scalarAt('ka.response.code', ['responseStatus', 'code'], 'The response code.'),
  scalarAt(
    'ka.response.reason',
    ['responseStatus', 'reason'],
    'The response reason (usually only on failures).',
  ),
  scalarAt('ka.useragent', ['userAgent'], 'The user agent of the client.'),
  define(
    'ka.sourceips',
    'The IP addresses of the client (sourceIPs).',
    (data, arg) => {
      const ips = path(data, ['sourceIPs']);
      if (!Array.isArray(ips)) return undefined;
      const picked = arg?.index === undefined ? ips : ips.slice(arg.index, arg.index + 1);
      return nonEmpty(picked.map(asText));
    },
    { list: true, arg: indexArg },
  ),
  scalarAt('ka.cluster.name', ['annotations', 'cluster_name'], 'The cluster name (annotation cluster_name).'),
  ...containerFields('initContainers', 'init containers'),
  ...containerFields('ephemeralContainers', 'ephemeral containers', false),
];
