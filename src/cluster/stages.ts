/**
 * kwok stages: how fake nodes and pods move through their lifecycle. kwok v0.8.0 ships no default
 * stages, so the cluster brings its own: nodes that become Ready and keep heartbeating, pods that
 * run and complete, and the failure modes the deploy tracker must explain, selected per pod by the
 * annotation `chartroom.dev/kwok-fault` (set it in a pod template):
 *
 *   image-pull          ErrImagePull, then ImagePullBackOff, with a registry-style message
 *   crashloop           starts, then CrashLoopBackOff with restarts; exit code from
 *                       `chartroom.dev/kwok-exit-code` (default 1), lastState.terminated.reason Error
 *   oom                 like crashloop, but exit code 137 and reason OOMKilled
 *   never-ready         runs, but readiness never becomes true
 *   missing-secret-key  CreateContainerConfigError naming the first secretKeyRef of the container
 *   fail                a running pod (e.g. a Job's) ends Failed with the exit code above
 *
 * `chartroom.dev/kwok-container` limits a fault to one container; `chartroom.dev/kwok-message`
 * overrides the message. `chartroom.dev/kwok-termination-delay` (a Go duration such as "5s")
 * delays the removal of a deleted pod, standing in for its graceful shutdown. Label a node
 * `chartroom.dev/kwok-node-not-ready=true` to make it NotReady.
 *
 * Selection rule (kwok): among all stages matching an object, those with weight > 0 win, so every
 * fault stage has weight 10000 and always beats the ordinary stages.
 */

export const faultAnnotation = 'chartroom.dev/kwok-fault';
export const faults = [
  'image-pull',
  'crashloop',
  'oom',
  'never-ready',
  'missing-secret-key',
  'fail',
] as const;
export type Fault = (typeof faults)[number];

const notDeleting = `    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist`;

function phase(...values: string[]): string {
  return `    - key: '.status.phase'
      operator: In
      values: [${values.map((v) => `'${v}'`).join(', ')}]`;
}

function fault(...values: Fault[]): string {
  return `    - key: '.metadata.annotations["${faultAnnotation}"]'
      operator: In
      values: [${values.map((v) => `'${v}'`).join(', ')}]`;
}

function noFault(): string {
  return `    - key: '.metadata.annotations["${faultAnnotation}"]'
      operator: DoesNotExist`;
}

function stage(options: {
  name: string;
  kind: 'Pod' | 'Node';
  match: string[];
  weight?: number;
  delay?: string;
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
  status?: string;
  remove?: boolean;
}): string {
  const lines = [
    'apiVersion: kwok.x-k8s.io/v1alpha1',
    'kind: Stage',
    'metadata:',
    `  name: ${options.name}`,
    'spec:',
    '  resourceRef:',
    '    apiGroup: v1',
    `    kind: ${options.kind}`,
    '  selector:',
    '    matchExpressions:',
    ...options.match,
  ];
  if (options.weight !== undefined) lines.push(`  weight: ${options.weight}`);
  if (options.delay !== undefined) lines.push('  delay:', options.delay);
  lines.push('  next:');
  if (options.event !== undefined) {
    lines.push(
      '    event:',
      `      type: ${options.event.type}`,
      `      reason: ${options.event.reason}`,
      `      message: '${options.event.message}'`,
    );
  }
  if (options.remove === true) lines.push('    delete: true');
  if (options.status !== undefined) {
    lines.push('    statusTemplate: |', ...options.status.split('\n').map((line) => `      ${line}`));
  }
  return lines.join('\n');
}

// Shared template pieces. `$fault` etc. are set at the top of each pod template.
const podHeader = `{{ $now := Now }}{{ $pod := . }}
{{ $a := or .metadata.annotations dict }}
{{ $target := index $a "chartroom.dev/kwok-container" }}
{{ $custom := index $a "chartroom.dev/kwok-message" }}
{{ $exit := or (index $a "chartroom.dev/kwok-exit-code") "1" }}`;

const podNetwork = `{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}- ip: {{ . | Quote }}
{{ end }}{{ end }}
{{ with PodIPsWith .spec.nodeName (or .spec.hostNetwork false) (or .metadata.uid "") (or .metadata.name "") (or .metadata.namespace "") }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}- ip: {{ . | Quote }}
{{ end }}{{ end }}`;

const notReadyConditions = (
  reason: string,
): string => `{{ $names := list }}{{ range .spec.containers }}{{ $names = append $names .name }}{{ end }}
conditions:
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- type: Ready
  status: "False"
  reason: ${reason}
  message: {{ printf "containers with unready status: [%s]" (join " " $names) | Quote }}
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "False"
  reason: ${reason}
  lastTransitionTime: {{ $now | Quote }}`;

function podStages(): string[] {
  const ready = stage({
    name: 'chartroom-pod-ready',
    kind: 'Pod',
    match: [
      notDeleting,
      phase('Pending'),
      `    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: NotIn
      values: ['True']`,
    ],
    status: `{{ $now := Now }}
conditions:
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ range .spec.readinessGates }}- {type: {{ .conditionType | Quote }}, status: "True", lastTransitionTime: {{ $now | Quote }}}
{{ end }}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "sha256:%s" (sha256sum .image) | Quote }}
  containerID: {{ printf "containerd://%s" (sha256sum (printf "%s/%s" $.metadata.uid .name)) | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running: {startedAt: {{ $now | Quote }}}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  restartCount: 0
{{ if eq (or .restartPolicy "") "Always" }}  started: true
  state:
    running: {startedAt: {{ $now | Quote }}}
{{ else }}  state:
    terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}
{{ end }}{{ end }}
${podNetwork}
phase: Running
startTime: {{ $now | Quote }}`,
  });

  const complete = stage({
    name: 'chartroom-pod-complete',
    kind: 'Pod',
    match: [
      notDeleting,
      noFault(),
      phase('Running'),
      `    - key: '.metadata.ownerReferences.[].kind'
      operator: In
      values: ['Job']`,
    ],
    delay: '    durationMilliseconds: 500',
    status: `{{ $now := Now }}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    running: null
    terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}
{{ end }}
conditions:
- {type: Ready, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
phase: Succeeded`,
  });

  const remove = stage({
    name: 'chartroom-pod-delete',
    kind: 'Pod',
    match: [
      `    - key: '.metadata.deletionTimestamp'
      operator: Exists`,
    ],
    // A pod's graceful shutdown, when the test asks for one; immediate otherwise.
    delay: `    durationMilliseconds: 0
    durationFrom:
      expressionFrom: '.metadata.annotations["chartroom.dev/kwok-termination-delay"]'`,
    remove: true,
  });

  const imagePull = stage({
    name: 'chartroom-fault-image-pull',
    kind: 'Pod',
    weight: 10000,
    match: [
      notDeleting,
      fault('image-pull'),
      phase('Pending'),
      `    - key: '.status.containerStatuses.[].state.waiting.reason'
      operator: NotIn
      values: ['ErrImagePull', 'ImagePullBackOff']`,
    ],
    delay: '    durationMilliseconds: 500',
    event: { type: 'Warning', reason: 'Failed', message: 'Failed to pull image: image not found' },
    status: `${podHeader}
${notReadyConditions('ContainersNotReady')}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
{{ if or (not $target) (eq $target .name) }}  state:
    waiting:
      reason: ErrImagePull
      message: {{ or $custom (printf "failed to pull and unpack image %q: failed to resolve reference %q: %s: not found" .image .image .image) | Quote }}
{{ else }}  state:
    waiting: {reason: PodInitializing}
{{ end }}{{ end }}
${podNetwork}
phase: Pending
startTime: {{ $now | Quote }}`,
  });

  const imagePullBackOff = stage({
    name: 'chartroom-fault-image-pull-backoff',
    kind: 'Pod',
    weight: 10000,
    match: [
      notDeleting,
      fault('image-pull'),
      `    - key: '.status.containerStatuses.[].state.waiting.reason'
      operator: In
      values: ['ErrImagePull']`,
    ],
    delay: '    durationMilliseconds: 2000',
    event: { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image' },
    status: `${podHeader}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
{{ if or (not $target) (eq $target .name) }}  state:
    waiting:
      reason: ImagePullBackOff
      message: {{ printf "Back-off pulling image %q: ErrImagePull: %s" .image (or $custom (printf "failed to pull and unpack image %q: not found" .image)) | Quote }}
{{ else }}  state:
    waiting: {reason: PodInitializing}
{{ end }}{{ end }}`,
  });

  const crashStart = stage({
    name: 'chartroom-fault-crash-start',
    kind: 'Pod',
    weight: 10000,
    match: [notDeleting, fault('crashloop', 'oom', 'never-ready'), phase('Pending')],
    delay: '    durationMilliseconds: 300',
    status: `${podHeader}
${notReadyConditions('ContainersNotReady')}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  containerID: {{ printf "containerd://%s" (sha256sum (printf "%s/%s/0" $.metadata.uid .name)) | Quote }}
  ready: false
  started: true
  restartCount: 0
  state:
    running: {startedAt: {{ $now | Quote }}}
{{ end }}
${podNetwork}
phase: Running
startTime: {{ $now | Quote }}`,
  });

  const crashLoop = stage({
    name: 'chartroom-fault-crashloop',
    kind: 'Pod',
    weight: 10000,
    match: [notDeleting, fault('crashloop', 'oom'), phase('Running')],
    // Each patch raises restartCount, which is a new watch event: the stage loops like a real back-off.
    delay: `    durationMilliseconds: 2000
    jitterDurationMilliseconds: 3000`,
    event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' },
    status: `${podHeader}
{{ $oom := eq (index $a "${faultAnnotation}") "oom" }}
${notReadyConditions('ContainersNotReady')}
containerStatuses:
{{ range $i, $c := .spec.containers }}{{ $old := index $pod.status.containerStatuses $i }}- name: {{ $c.name | Quote }}
  image: {{ $c.image | Quote }}
  ready: false
  started: false
{{ if or (not $target) (eq $target $c.name) }}  restartCount: {{ add1 (or $old.restartCount 0) }}
  state:
    running: null
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off 10s restarting failed container=%s pod=%s_%s(%s)" $c.name $pod.metadata.name $pod.metadata.namespace $pod.metadata.uid | Quote }}
  lastState:
    terminated:
      exitCode: {{ if $oom }}137{{ else }}{{ $exit }}{{ end }}
      reason: {{ if $oom }}OOMKilled{{ else }}Error{{ end }}
      message: {{ or $custom "" | Quote }}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
      containerID: {{ printf "containerd://%s" (sha256sum (printf "%s/%s/%v" $pod.metadata.uid $c.name (or $old.restartCount 0))) | Quote }}
{{ else }}  restartCount: 0
  state:
    running: {startedAt: {{ $now | Quote }}}
{{ end }}{{ end }}`,
  });

  const missingKey = stage({
    name: 'chartroom-fault-missing-secret-key',
    kind: 'Pod',
    weight: 10000,
    match: [
      notDeleting,
      fault('missing-secret-key'),
      phase('Pending'),
      `    - key: '.status.containerStatuses.[].state.waiting.reason'
      operator: NotIn
      values: ['CreateContainerConfigError']`,
    ],
    delay: '    durationMilliseconds: 500',
    event: { type: 'Warning', reason: 'Failed', message: 'Error: CreateContainerConfigError' },
    status: `${podHeader}
${notReadyConditions('ContainersNotReady')}
containerStatuses:
{{ range .spec.containers }}{{ $c := . }}{{ $msg := $custom }}
{{ range (or .env list) }}{{ with .valueFrom }}{{ with .secretKeyRef }}{{ if not $msg }}{{ $msg = printf "couldn't find key %s in Secret %s/%s" .key $pod.metadata.namespace .name }}{{ end }}{{ end }}{{ end }}{{ end }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
{{ if and $msg (or (not $target) (eq $target .name)) }}  state:
    waiting:
      reason: CreateContainerConfigError
      message: {{ $msg | Quote }}
{{ else }}  state:
    waiting: {reason: ContainerCreating}
{{ end }}{{ end }}
${podNetwork}
phase: Pending
startTime: {{ $now | Quote }}`,
  });

  const failed = stage({
    name: 'chartroom-fault-fail',
    kind: 'Pod',
    weight: 10000,
    match: [notDeleting, fault('fail'), phase('Running')],
    delay: '    durationMilliseconds: 500',
    status: `${podHeader}
containerStatuses:
{{ range .spec.containers }}- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    running: null
    terminated:
      exitCode: {{ $exit }}
      reason: Error
      message: {{ or $custom "" | Quote }}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
conditions:
- {type: Ready, status: "False", reason: PodFailed, lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "False", reason: PodFailed, lastTransitionTime: {{ $now | Quote }}}
phase: Failed`,
  });

  return [ready, complete, remove, imagePull, imagePullBackOff, crashStart, crashLoop, missingKey, failed];
}

const nodeConditions = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
{{ end }}`;

function nodeStages(): string[] {
  const notReadyLabel = `    - key: '.metadata.labels["chartroom.dev/kwok-node-not-ready"]'
      operator: DoesNotExist`;
  const initialize = stage({
    name: 'chartroom-node-initialize',
    kind: 'Node',
    match: [
      notReadyLabel,
      `    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: NotIn
      values: ['True']`,
    ],
    status: `${nodeConditions}
addresses:
{{ with NodeIP }}- {type: InternalIP, address: {{ . | Quote }}}
{{ end }}- {type: Hostname, address: {{ .metadata.name | Quote }}}
{{ with NodePort }}daemonEndpoints:
  kubeletEndpoint:
    Port: {{ . }}
{{ end }}
allocatable:
{{ with .status.allocatable }}{{ YAML . 1 }}{{ else }}  cpu: "4"
  memory: 16Gi
  pods: "110"
{{ end }}
capacity:
{{ with .status.capacity }}{{ YAML . 1 }}{{ else }}  cpu: "4"
  memory: 16Gi
  pods: "110"
{{ end }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  osImage: "Chartroom kwok node"
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  bootID: ""
  machineID: ""
  systemUUID: ""
phase: Running`,
  });
  // With node leases, heartbeats in the status can be rare (the lease proves liveness).
  const heartbeat = stage({
    name: 'chartroom-node-heartbeat',
    kind: 'Node',
    match: [
      notReadyLabel,
      `    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: In
      values: ['True']`,
    ],
    delay: `    durationMilliseconds: 300000
    jitterDurationMilliseconds: 310000`,
    status: nodeConditions,
  });
  const notReady = stage({
    name: 'chartroom-node-not-ready',
    kind: 'Node',
    weight: 10000,
    match: [
      `    - key: '.metadata.labels["chartroom.dev/kwok-node-not-ready"]'
      operator: In
      values: ['true']`,
      `    - key: '.status.conditions.[] | select(.type == "Ready") | .status'
      operator: In
      values: ['True']`,
    ],
    status: `{{ $now := Now }}
conditions:
- type: Ready
  status: "False"
  reason: KubeletNotReady
  message: "container runtime is down (kwok fault)"
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}`,
  });
  return [initialize, heartbeat, notReady];
}

/** The kwok `--config` file: every stage, as one multi-document YAML. */
export function kwokConfig(): string {
  return [...nodeStages(), ...podStages()].join('\n---\n') + '\n';
}
