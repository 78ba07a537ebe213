/**
 * The talk's start-up lessons: pods that need a long time (and 3× their CPU request) to boot must
 * say so with a startupProbe or warm up in postStart, and a postStart hook must not hang forever.
 */
import { arr, num, obj } from '../json.js';
import type { CheckDefinition, Json } from '../model.js';
import { optionNumber, perContainer } from './helpers.js';
import type { PodTemplate } from '../workload.js';

/** Annotation `advise` writes with the measured boot time, in seconds. */
export const startupSecondsAnnotation = 'chartroom.dev/startup-seconds';

/** How long the container is expected to take to boot, from what its manifest admits. */
export function expectedStartupSeconds(container: Json, template: PodTemplate): number {
  const declared = Number(template.annotations[startupSecondsAnnotation]);
  const delays = [
    num(container, 'readinessProbe.initialDelaySeconds') ?? 0,
    num(container, 'livenessProbe.initialDelaySeconds') ?? 0,
    Number.isFinite(declared) ? declared : 0,
  ];
  return Math.max(...delays);
}

/** The longest boot a startupProbe tolerates: initialDelay + failureThreshold × period. */
export function startupProbeBudget(container: Json): number | undefined {
  const probe = obj(container, 'startupProbe');
  if (probe === undefined) return undefined;
  return (
    (num(probe, 'initialDelaySeconds') ?? 0) +
    (num(probe, 'failureThreshold') ?? 3) * (num(probe, 'periodSeconds') ?? 10)
  );
}

export function hasPostStart(container: Json): boolean {
  return obj(container, 'lifecycle.postStart') !== undefined;
}

export const slowStart: CheckDefinition = {
  id: 'slow-start-without-startup-probe',
  title: 'Slow-starting containers have a startupProbe or warm-up',
  family: 'startup',
  severity: 'warning',
  why: "A container that needs tens of seconds to boot (the talk's pods: 1 core requested, 3+ used at start) is either killed by its livenessProbe mid-boot or turns Ready cold and takes traffic while JIT-compiling, so the HPA sees a load spike and adds more cold pods.",
  fix: 'Add a `startupProbe` whose `failureThreshold × periodSeconds` covers the boot (liveness and readiness wait for it), or warm the app up in a `postStart` hook as the talk did; then drop the long initialDelaySeconds.',
  run: (manifest, context) => {
    const threshold = optionNumber(context.options, 'slowStartSeconds', 30);
    return perContainer(manifest, {}, (ref, template) => {
      const boot = expectedStartupSeconds(ref.container, template);
      if (boot < threshold) return undefined;
      if (hasPostStart(ref.container)) return undefined;
      const budget = startupProbeBudget(ref.container);
      if (budget === undefined) {
        return `container "${ref.name}" needs ~${boot}s to start but has no startupProbe or postStart warm-up`;
      }
      if (budget < boot) {
        return `container "${ref.name}" needs ~${boot}s to start but its startupProbe gives up after ${budget}s`;
      }
      return undefined;
    });
  },
};

/** Commands that bound their own run time. */
const bounded = /(^|[\s;&|(])(timeout|gtimeout)\s+(-[a-zA-Z]+\s+\S+\s+)*\d+[smhd]?\s/;

function commandText(hook: Json): string | undefined {
  const command = arr(hook, 'exec.command').map(String);
  return command.length === 0 ? undefined : command.join(' ');
}

export const postStartTimeout: CheckDefinition = {
  id: 'poststart-without-timeout',
  title: 'postStart hooks are time-boxed',
  family: 'startup',
  severity: 'warning',
  why: 'The kubelet waits for a postStart exec hook with no deadline: until it returns the container stays ContainerCreating, no probe runs, and a warm-up script that hangs (a dependency down) stalls the rollout without any error.',
  fix: 'Wrap the hook in `timeout`: `command: ["/bin/sh", "-c", "timeout 120 ./warmup.sh || true"]`, and keep the budget below the startupProbe\'s.',
  run: (manifest) =>
    perContainer(manifest, {}, (ref) => {
      const hook = obj(ref.container, 'lifecycle.postStart');
      if (hook === undefined) return undefined;
      const text = commandText(hook);
      if (text === undefined) return undefined; // httpGet/sleep hooks are bounded by the kubelet
      if (bounded.test(` ${text} `)) return undefined;
      const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
      return `container "${ref.name}" runs postStart \`${shown}\` without a timeout`;
    }),
};

export const startupChecks: CheckDefinition[] = [slowStart, postStartTimeout];
