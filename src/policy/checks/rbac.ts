/** RBAC: who gets cluster-admin, pod exec/attach, secrets, and wildcards. */
import { arr, objs, str } from '../json.js';
import type { CheckDefinition, Json, Manifest, ObjectIndexView } from '../model.js';
import { fail, pass } from './helpers.js';

const bindingKinds = ['RoleBinding', 'ClusterRoleBinding'];
const isSystem = (name: string): boolean =>
  name.startsWith('system:') || name === 'gce:podsecuritypolicy:calico-sa';

/** Options `kinds` (binding kinds) and `roleKinds` narrow a check to one of Polaris's variants. */
function inScope(manifest: Manifest, options: Readonly<Record<string, unknown>>): boolean {
  const kinds = Array.isArray(options.kinds) ? options.kinds.map(String) : bindingKinds;
  if (!kinds.includes(manifest.kind)) return false;
  const roleKinds = Array.isArray(options.roleKinds)
    ? options.roleKinds.map(String)
    : ['Role', 'ClusterRole'];
  return roleKinds.includes(str(manifest.doc, 'roleRef.kind') ?? '');
}

function roleOf(binding: Manifest, index: ObjectIndexView): Manifest | undefined {
  const kind = str(binding.doc, 'roleRef.kind') ?? '';
  const name = str(binding.doc, 'roleRef.name') ?? '';
  return kind === 'ClusterRole'
    ? index.byKind('ClusterRole').find((r) => r.name === name)
    : index.find('Role', name, binding.namespace);
}

function ruleGrants(
  rule: Json,
  groups: string[],
  resources: string[],
  verbs: string[],
): { resources: string[]; verbs: string[] } | undefined {
  const ruleGroups = arr(rule, 'apiGroups').map(String);
  const ruleResources = arr(rule, 'resources').map(String);
  const ruleVerbs = arr(rule, 'verbs').map(String);
  if (!ruleGroups.some((g) => g === '*' || groups.includes(g))) return undefined;
  const r = ruleResources.filter((x) => x === '*' || resources.includes(x));
  const v = ruleVerbs.filter((x) => x === '*' || verbs.includes(x));
  return r.length > 0 && v.length > 0 ? { resources: r, verbs: v } : undefined;
}

function grants(
  role: Manifest | undefined,
  groups: string[],
  resources: string[],
  verbs: string[],
): { resources: string[]; verbs: string[] } | undefined {
  if (role === undefined) return undefined;
  for (const rule of objs(role.doc, 'rules')) {
    const hit = ruleGrants(rule, groups, resources, verbs);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function isAdminRole(role: Manifest): boolean {
  return objs(role.doc, 'rules').some((rule) => {
    const verbs = arr(rule, 'verbs').map(String);
    const allVerbs =
      verbs.includes('*') ||
      ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].every((v) => verbs.includes(v));
    return arr(rule, 'apiGroups').includes('*') && arr(rule, 'resources').includes('*') && allVerbs;
  });
}

export const clusterAdminBinding: CheckDefinition = {
  id: 'cluster-admin-binding',
  title: 'No cluster-admin bindings',
  family: 'rbac',
  severity: 'danger',
  why: 'cluster-admin (or a role with * on *) can do anything in the cluster, including reading every Secret; a leaked token for it is a full compromise.',
  fix: 'Bind a role with only the verbs and resources the subject needs.',
  run: (manifest, context) => {
    if (!inScope(manifest, context.options) || isSystem(manifest.name)) return [];
    const name = str(manifest.doc, 'roleRef.name') ?? '';
    if (name === 'cluster-admin') return [fail(`binding to the cluster-admin role`)];
    const role = roleOf(manifest, context.index);
    if (role !== undefined && isAdminRole(role))
      return [fail(`binding to "${name}", which allows every verb on every resource`)];
    return [pass];
  },
};

export const podExecAttach: CheckDefinition = {
  id: 'pod-exec-access',
  title: 'No pods/exec or pods/attach grants',
  family: 'rbac',
  severity: 'danger',
  why: 'pods/exec and pods/attach give a shell in any pod of the scope: its Secrets, its service account token, its network position.',
  fix: 'Grant exec only to the people who need it, through a separate, time-boxed binding (`chartroom access request`).',
  run: (manifest, context) => {
    if (!inScope(manifest, context.options) || isSystem(manifest.name)) return [];
    const role = roleOf(manifest, context.index);
    if (role === undefined || ['admin', 'cluster-admin', 'edit'].includes(role.name)) return [pass];
    const hit = grants(role, [''], ['pods/exec', 'pods/attach'], ['get', 'create']);
    return hit === undefined
      ? [pass]
      : [fail(`binding to "${role.name}" grants [${hit.verbs.join(' ')}] on [${hit.resources.join(' ')}]`)];
  },
};

function accessCheck(
  id: string,
  title: string,
  resources: string[],
  verbs: string[],
  why: string,
): CheckDefinition {
  return {
    id,
    title,
    family: 'rbac',
    severity: 'warning',
    optional: true,
    why,
    fix: 'Narrow the role to the resources and verbs actually needed (resourceNames help).',
    run: (manifest, context) => {
      if (!bindingKinds.includes(manifest.kind)) return [];
      const role = roleOf(manifest, context.index);
      const hit = grants(role, ['', '*'], resources, verbs);
      return hit === undefined
        ? [pass]
        : [
            fail(
              `binding to "${role?.name ?? ''}" role that has [${hit.verbs.join(' ')}] access to [${hit.resources.join(' ')}]`,
            ),
          ];
    },
  };
}

export const secretsAccess = accessCheck(
  'secrets-access',
  'No broad access to Secrets',
  ['secrets'],
  ['get', 'list', 'watch', 'delete', 'create', 'update', 'patch'],
  'Reading Secrets reads every password and token in the namespace.',
);
export const createPodsAccess = accessCheck(
  'create-pods-access',
  'No pod creation grants',
  ['pods', 'deployments', 'statefulsets', 'replicasets', 'cronjobs', 'jobs', 'daemonsets'],
  ['create'],
  'Whoever can create pods can mount any Secret and run as any service account of the namespace.',
);

export const wildcardRules: CheckDefinition = {
  id: 'rbac-wildcard',
  title: 'No wildcards in roles',
  family: 'rbac',
  severity: 'warning',
  optional: true,
  why: 'A `*` grants resources and verbs that do not exist yet: every future CRD and subresource.',
  fix: 'List the resources and verbs explicitly.',
  run: (manifest) => {
    if (manifest.kind !== 'Role' && manifest.kind !== 'ClusterRole') return [];
    const wild = objs(manifest.doc, 'rules').some(
      (r) => arr(r, 'resources').includes('*') || arr(r, 'verbs').includes('*'),
    );
    return wild ? [fail(`${manifest.kind} uses a wildcard in its rules`)] : [pass];
  },
};

export const rbacChecks: CheckDefinition[] = [
  clusterAdminBinding,
  podExecAttach,
  secretsAccess,
  createPodsAccess,
  wildcardRules,
];
