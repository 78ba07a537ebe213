/** Container and pod security contexts: users, privileges, capabilities, filesystems, secrets. */
import { arr, bool, num, obj, objs, str } from '../json.js';
import type { CheckDefinition, Json } from '../model.js';
import { fail, pass, perContainer, perPod } from './helpers.js';

const sc = (value: Json | undefined): Json | undefined => obj(value, 'securityContext');

/** A container setting, falling back to the pod's securityContext as the kubelet does. */
function effective(container: Json, podSpec: Json, key: string): unknown {
  return sc(container)?.[key] ?? sc(podSpec)?.[key];
}

export const runAsRoot: CheckDefinition = {
  id: 'run-as-root',
  title: 'Containers do not run as root',
  family: 'security',
  severity: 'danger',
  why: 'A process running as root inside the container is root on the host after any container escape, and can write everything in its image.',
  fix: 'Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (pod or container level), and build the image with a USER.',
  run: (manifest, context) =>
    perContainer(manifest, { init: true }, (ref, template) => {
      const runAsUser = effective(ref.container, template.spec, 'runAsUser');
      const runAsNonRoot = effective(ref.container, template.spec, 'runAsNonRoot');
      const nonRoot =
        runAsNonRoot === true ? runAsUser !== 0 : typeof runAsUser === 'number' && runAsUser > 0;
      if (!nonRoot) return `container "${ref.name}" is not set to runAsNonRoot`;
      if (
        context.options.runAsGroupZero !== false &&
        effective(ref.container, template.spec, 'runAsGroup') === 0
      ) {
        return `container "${ref.name}" is set to runAsGroup 0`;
      }
      return undefined;
    }),
};

export const userGroupId: CheckDefinition = {
  id: 'user-group-id',
  title: 'User and group ids above 10000',
  family: 'security',
  severity: 'warning',
  optional: true,
  why: 'Low uids and gids collide with users on the host; a process that escapes its container as uid 1000 may own real files there.',
  fix: 'Set `securityContext.runAsUser` and `runAsGroup` to values above 10000.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref, template) => {
      if (sc(ref.container) === undefined && sc(template.spec) === undefined) {
        return `container "${ref.name}" has no securityContext`;
      }
      const user = num(effective(ref.container, template.spec, 'runAsUser'));
      if (user === undefined || user < 10000) return `container "${ref.name}" runs with a low user id`;
      const group = num(effective(ref.container, template.spec, 'runAsGroup'));
      if (group === undefined || group < 10000) return `container "${ref.name}" runs with a low group id`;
      return undefined;
    }),
};

export const privileged: CheckDefinition = {
  id: 'privileged',
  title: 'Containers are not privileged',
  family: 'security',
  severity: 'danger',
  why: 'A privileged container sees every device of the host and can do almost anything a process outside containers can.',
  fix: 'Remove `securityContext.privileged: true`; grant the single capability the process needs instead.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) =>
      // `privileged` exists only on the container's securityContext; a pod-level one is ignored.
      bool(sc(ref.container), 'privileged') === true ? `container "${ref.name}" is privileged` : undefined,
    ),
};

export const privilegeEscalation: CheckDefinition = {
  id: 'privilege-escalation',
  title: 'Privilege escalation is not allowed',
  family: 'security',
  severity: 'danger',
  why: 'With allowPrivilegeEscalation (the default) a setuid binary in the image can give a process more privileges than it started with.',
  fix: 'Set `securityContext.allowPrivilegeEscalation: false` on every container.',
  run: (manifest, context) =>
    perContainer(manifest, { init: true }, (ref) => {
      // A container-only field: the kubelet ignores it in the pod's securityContext.
      const value = bool(sc(ref.container), 'allowPrivilegeEscalation');
      // kube-linter only flags an explicit true (or privileged, which implies it).
      if (context.options.explicitOnly === true) {
        return value === true || bool(sc(ref.container), 'privileged') === true
          ? `container "${ref.name}" allows privilege escalation`
          : undefined;
      }
      return value === false
        ? undefined
        : `container "${ref.name}" does not set allowPrivilegeEscalation: false`;
    }),
};

export const readOnlyRootFilesystem: CheckDefinition = {
  id: 'read-only-root-fs',
  title: 'Root filesystem is read-only',
  family: 'security',
  severity: 'warning',
  why: 'A writable root filesystem lets an attacker drop tools and persist changes in the container; a read-only one also surfaces apps that write where they should not.',
  fix: 'Set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir where the app must write (e.g. /tmp).',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) =>
      // A container-only field: the kubelet ignores it in the pod's securityContext.
      bool(sc(ref.container), 'readOnlyRootFilesystem') === true
        ? undefined
        : `container "${ref.name}" does not have a read-only root file system`,
    ),
};

export const seccompProfile: CheckDefinition = {
  id: 'seccomp-profile',
  title: 'Seccomp profile set',
  family: 'security',
  severity: 'warning',
  optional: true,
  why: 'Without a seccomp profile a container may make any system call, including the rarely used ones most kernel exploits need.',
  fix: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref, template) => {
      const type =
        str(sc(ref.container), 'seccompProfile.type') ?? str(sc(template.spec), 'seccompProfile.type');
      if (type !== undefined && type !== 'Unconfined') return undefined;
      const annotation =
        template.annotations[`container.seccomp.security.alpha.kubernetes.io/${ref.name}`] ??
        template.annotations['seccomp.security.alpha.kubernetes.io/pod'] ??
        template.annotations['seccomp.security.alpha.kubernetes.io/defaultProfileName'];
      if (annotation !== undefined && annotation !== 'unconfined') return undefined;
      return `container "${ref.name}" has no seccomp profile`;
    }),
};

export const linuxHardening: CheckDefinition = {
  id: 'linux-hardening',
  title: 'Linux hardening in place',
  family: 'security',
  severity: 'warning',
  why: 'AppArmor, seccomp, SELinux or dropped capabilities each shrink what a compromised process can do; with none of them the container has the runtime defaults only.',
  fix: 'Set `seccompProfile: {type: RuntimeDefault}` on the pod, or drop capabilities (`capabilities.drop: [ALL]`).',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref, template) => {
      if (template.annotations[`container.apparmor.security.beta.kubernetes.io/${ref.name}`] !== undefined)
        return undefined;
      const seccomp =
        str(sc(ref.container), 'seccompProfile.type') ?? str(sc(template.spec), 'seccompProfile.type');
      if (seccomp !== undefined && seccomp !== '' && seccomp !== 'Unconfined') return undefined;
      const podSELinux = obj(sc(template.spec), 'seLinuxOptions');
      const ownSELinux = obj(sc(ref.container), 'seLinuxOptions');
      if (
        (podSELinux !== undefined && Object.keys(podSELinux).length > 0) ||
        (ownSELinux !== undefined && Object.keys(ownSELinux).length > 0)
      )
        return undefined;
      const drop = arr(sc(ref.container), 'capabilities.drop');
      const add = arr(sc(ref.container), 'capabilities.add').map((c) => String(c).toUpperCase());
      if (drop.length > 0 && !add.includes('ALL')) return undefined;
      return `container "${ref.name}" has no AppArmor, seccomp, SELinux or dropped capabilities`;
    }),
};

const dangerous = ['ALL', 'SYS_ADMIN', 'NET_ADMIN'];

export const dangerousCapabilities: CheckDefinition = {
  id: 'dangerous-capabilities',
  title: 'No dangerous capabilities added',
  family: 'security',
  severity: 'danger',
  why: "SYS_ADMIN is nearly root, NET_ADMIN rewrites the node's network, ALL is both and more.",
  fix: 'Remove them from `securityContext.capabilities.add`; find the narrow capability the process needs.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const added = arr(sc(ref.container), 'capabilities.add').map((c) => String(c).toUpperCase());
      const bad = added.filter((c) => dangerous.includes(c));
      return bad.length === 0 ? undefined : `container "${ref.name}" adds ${bad.join(', ')}`;
    }),
};

const defaultCapabilities = [
  'NET_ADMIN',
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

export const insecureCapabilities: CheckDefinition = {
  id: 'insecure-capabilities',
  title: 'Default capabilities dropped',
  family: 'security',
  severity: 'warning',
  why: 'Container runtimes grant a default set of capabilities (NET_RAW, SETUID, CHOWN, …) most apps never use; NET_RAW alone allows ARP and DNS spoofing inside the node.',
  fix: 'Set `securityContext.capabilities.drop: [ALL]` and add back only what is needed.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const drop = arr(sc(ref.container), 'capabilities.drop').map((c) => String(c).toUpperCase());
      if (drop.includes('ALL') || defaultCapabilities.every((c) => drop.includes(c))) return undefined;
      return `container "${ref.name}" does not drop the default capabilities`;
    }),
};

export const dropNetRaw: CheckDefinition = {
  id: 'drop-net-raw',
  title: 'NET_RAW dropped',
  family: 'security',
  severity: 'warning',
  why: 'NET_RAW lets a process craft packets: ARP spoofing and DNS poisoning of its neighbours on the node.',
  fix: 'Add `NET_RAW` (or `ALL`) to `securityContext.capabilities.drop`.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const drop = arr(sc(ref.container), 'capabilities.drop').map((c) => String(c).toUpperCase());
      const add = arr(sc(ref.container), 'capabilities.add').map((c) => String(c).toUpperCase());
      if (
        (drop.includes('ALL') || drop.includes('NET_RAW')) &&
        !add.includes('NET_RAW') &&
        !add.includes('ALL')
      )
        return undefined;
      return `container "${ref.name}" has not dropped NET_RAW`;
    }),
};

export const procMount: CheckDefinition = {
  id: 'proc-mount',
  title: '/proc is masked',
  family: 'security',
  severity: 'warning',
  why: "`procMount: Unmasked` exposes the host's /proc paths that the runtime normally hides.",
  fix: 'Remove `securityContext.procMount` (or set it to `Default`).',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const value = str(sc(ref.container), 'procMount');
      return value === undefined || value === 'Default'
        ? undefined
        : `container "${ref.name}" exposes /proc unsafely (procMount=${value})`;
    }),
};

const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

export const unsafeSysctls: CheckDefinition = {
  id: 'unsafe-sysctls',
  title: 'Only safe sysctls',
  family: 'security',
  severity: 'danger',
  why: 'Sysctls outside the namespaced safe set change the kernel for every pod on the node, and the kubelet refuses them unless explicitly allowed.',
  fix: 'Remove the sysctl, or run the workload on dedicated nodes whose kubelet allows it.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const unsafe = objs(sc(template.spec), 'sysctls')
        .map((s) => str(s, 'name') ?? '')
        .filter((name) => !safeSysctls.has(name));
      return unsafe.length === 0
        ? undefined
        : `pod specifies unsafe sysctl ${unsafe.map((n) => `"${n}"`).join(', ')}`;
    }),
};

export const hostProcess: CheckDefinition = {
  id: 'host-process',
  title: 'No Windows HostProcess containers',
  family: 'security',
  severity: 'danger',
  why: 'A Windows HostProcess container runs directly on the host with its privileges.',
  fix: 'Remove `windowsOptions.hostProcess: true`.',
  run: (manifest) =>
    perPod(manifest, (template) => {
      const all = [
        template.spec,
        ...objs(template.spec, 'containers'),
        ...objs(template.spec, 'initContainers'),
      ];
      return all.some((c) => bool(sc(c), 'windowsOptions.hostProcess') === true)
        ? 'pod runs a HostProcess container'
        : undefined;
    }),
};

export const automountToken: CheckDefinition = {
  id: 'automount-service-account-token',
  title: 'Service account token not mounted needlessly',
  family: 'security',
  severity: 'warning',
  why: 'Every pod gets an API token mounted by default; an attacker in the pod can use it against the API server with whatever RBAC the account has.',
  fix: 'Set `automountServiceAccountToken: false` on the pod (or its ServiceAccount) unless it talks to the API.',
  run: (manifest, context) =>
    perPod(manifest, (template) => {
      const own = bool(template.spec, 'automountServiceAccountToken');
      if (own === false) return undefined;
      if (own === true) return 'pod mounts its service account token (automountServiceAccountToken: true)';
      const accountName =
        str(template.spec, 'serviceAccountName') ?? str(template.spec, 'serviceAccount') ?? 'default';
      const account = context.index.find('ServiceAccount', accountName, manifest.namespace);
      if (account !== undefined && bool(account.doc, 'automountServiceAccountToken') === false)
        return undefined;
      return `pod mounts the token of service account "${accountName}" by default`;
    }),
};

const secretName = [
  /^AWS_SECRET_ACCESS_KEY$/i,
  /^GOOGLE_APPLICATION_CREDENTIALS$/i,
  /^AZURE_.+KEY$/i,
  /^OCI_CLI_KEY_CONTENT$/i,
  /password/i,
  /token/i,
  /bearer/i,
  /secret/i,
];
const privateKey = /\s*-BEGIN\s+.*PRIVATE KEY-\s*/i;

export function looksSecret(name: string, value: string): boolean {
  return secretName.some((re) => re.test(name)) || privateKey.test(value);
}

export const secretInEnv: CheckDefinition = {
  id: 'secret-in-env',
  title: 'No secrets as plain env values',
  family: 'security',
  severity: 'danger',
  why: 'A secret written as an env `value` sits in plain text in the manifest, in git, in `kubectl describe` and in every tool that reads the object.',
  fix: 'Put it in a Secret (encrypted in git with `chartroom secrets`) and use `valueFrom.secretKeyRef`.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      for (const env of objs(ref.container, 'env')) {
        const value = str(env, 'value');
        if (value === undefined || value === '') continue;
        const name = str(env, 'name') ?? '';
        if (looksSecret(name, value))
          return `container "${ref.name}" has a secret-looking env value in "${name}"`;
      }
      return undefined;
    }),
};

export const secretInConfigMap: CheckDefinition = {
  id: 'secret-in-configmap',
  title: 'No secrets in ConfigMaps',
  family: 'security',
  severity: 'danger',
  why: 'ConfigMaps are readable by far more people and tools than Secrets and are never encrypted at rest.',
  fix: 'Move the value into a Secret.',
  run: (manifest) => {
    if (manifest.kind !== 'ConfigMap') return [];
    const data = obj(manifest.doc, 'data') ?? {};
    const bad = Object.entries(data).filter(([key, value]) =>
      looksSecret(key, typeof value === 'string' ? value : ''),
    );
    return bad.length === 0
      ? [pass]
      : [fail(`ConfigMap holds secret-looking keys: ${bad.map(([k]) => k).join(', ')}`)];
  },
};

export const secretFromEnv: CheckDefinition = {
  id: 'secret-from-env',
  title: 'Secrets mounted as files, not env',
  family: 'security',
  severity: 'warning',
  optional: true,
  why: 'Environment variables leak: into crash dumps, child processes, `/proc/<pid>/environ` and logs of startup banners.',
  fix: 'Mount the Secret as a volume and read the file.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const fromSecret = objs(ref.container, 'env').some(
        (e) => obj(e, 'valueFrom.secretKeyRef') !== undefined,
      );
      const envFrom = objs(ref.container, 'envFrom').some((e) => obj(e, 'secretRef') !== undefined);
      return fromSecret || envFrom
        ? `container "${ref.name}" reads a Secret through environment variables`
        : undefined;
    }),
};

export const securityChecks: CheckDefinition[] = [
  runAsRoot,
  userGroupId,
  privileged,
  privilegeEscalation,
  readOnlyRootFilesystem,
  seccompProfile,
  linuxHardening,
  dangerousCapabilities,
  insecureCapabilities,
  dropNetRaw,
  procMount,
  unsafeSysctls,
  hostProcess,
  automountToken,
  secretInEnv,
  secretInConfigMap,
  secretFromEnv,
];
