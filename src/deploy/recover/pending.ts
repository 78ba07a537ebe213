/**
 * Recovering a release stuck in pending-install/-upgrade/-rollback. Helm marks a release failed
 * only when it gets SIGINT/SIGTERM; a deploy killed harder (SIGKILL of the whole job, a lost
 * machine) leaves `pending-*`, and every later upgrade fails with "another operation
 * (install/upgrade/rollback) is in progress". Helm's maintainers will not add a force flag
 * (helm/helm#7653), so the fix is theirs: roll back to the last deployed revision, or uninstall
 * a first install that never completed (as flant/addon-operator does).
 *
 * Recovery happens at the start of a deploy, under the deploy lock, and only when the pending
 * record was left by a deploy known to be dead (its Lease was taken over) or is older than
 * `recoverAfterMs` — a pending record of a Helm someone is running by hand is left alone.
 */
import { ExitCode } from '../../core/errors.js';
import type { KubeClient } from '../../kube/index.js';
import { deployError } from '../errors.js';
import { rollbackArgs, uninstallArgs, type ClusterTarget } from '../helm/commands.js';
import { formatGoDuration } from '../helm/duration.js';
import { helmError, runHelm } from '../helm/process.js';
import { isPending, releaseRevisions, type HelmDriver, type ReleaseRevision } from '../helm/storage.js';
import { describeHolder, type LockTakeover } from '../lock/lease-lock.js';

export interface Recovery {
  release: string;
  namespace: string;
  stuck: { revision: number; status: string; modifiedAt?: string };
  action: 'rollback' | 'uninstall';
  /** The revision rolled back to. */
  toRevision?: number;
  /** The revision the rollback created. */
  newRevision?: number;
  /** Why it was safe to act. */
  reason: string;
  /** What was done, in one sentence for the user. */
  message: string;
}

export interface RecoverOptions {
  kube: KubeClient;
  target: ClusterTarget;
  release: string;
  driver: HelmDriver;
  env: NodeJS.ProcessEnv;
  takeover: LockTakeover | undefined;
  /** A pending record older than this is considered abandoned even without a dead holder. */
  recoverAfterMs: number;
  timeoutMs: number;
  graceMs: number;
  redact?: (text: string) => string;
  signal?: AbortSignal;
}

/** The revision to roll back to: the last deployed one, else the last that ever was. */
export function rollbackTarget(revisions: readonly ReleaseRevision[]): ReleaseRevision | undefined {
  const before = revisions.slice(0, -1);
  return (
    [...before].reverse().find((r) => r.status === 'deployed') ??
    [...before].reverse().find((r) => r.status === 'superseded')
  );
}

function ago(date: Date | undefined): string {
  if (date === undefined) return '';
  return ` ${formatGoDuration(Math.max(0, Math.round((Date.now() - date.getTime()) / 1000)) * 1000)} ago`;
}

export async function recoverPending(options: RecoverOptions): Promise<Recovery | undefined> {
  const revisions = await releaseRevisions(options.kube, {
    namespace: options.target.namespace,
    release: options.release,
    driver: options.driver,
  });
  const last = revisions.at(-1);
  if (last === undefined || !isPending(last.status)) return undefined;

  const takeover = options.takeover;
  const leftByDeadDeploy =
    takeover !== undefined &&
    (last.modifiedAt === undefined ||
      takeover.renewedAt === undefined ||
      last.modifiedAt.getTime() <= takeover.renewedAt.getTime() + 5000);
  const abandoned =
    last.modifiedAt !== undefined && Date.now() - last.modifiedAt.getTime() >= options.recoverAfterMs;
  if (!leftByDeadDeploy && !abandoned) {
    const target = rollbackTarget(revisions);
    throw deployError(
      'release-pending',
      `release ${options.release} is ${last.status} at revision ${last.revision} (since${ago(last.modifiedAt)}) and no Chartroom deploy holds its lock: another helm may be running`,
      {
        exitCode: ExitCode.conflict,
        hint:
          `If nothing is deploying it, pass --recover-after 0s to recover it, or run ` +
          (target === undefined
            ? `helm uninstall ${options.release} -n ${options.target.namespace}`
            : `helm rollback ${options.release} ${target.revision} -n ${options.target.namespace}`),
      },
    );
  }
  const reason = leftByDeadDeploy
    ? `left by a deploy that stopped (${takeover.reason === 'dead' ? 'its process is gone' : 'its lock expired'}): ${describeHolder(takeover.previous)}`
    : `pending since${ago(last.modifiedAt)}, longer than --recover-after ${formatGoDuration(options.recoverAfterMs)}`;

  const target = last.status === 'pending-install' ? undefined : rollbackTarget(revisions);
  const args =
    target === undefined
      ? uninstallArgs({ ...options.target, release: options.release, timeoutMs: options.timeoutMs })
      : rollbackArgs({
          ...options.target,
          release: options.release,
          revision: target.revision,
          timeoutMs: options.timeoutMs,
        });
  const exit = await runHelm({
    args,
    env: options.env,
    graceMs: options.graceMs,
    ...(options.redact === undefined ? {} : { redact: options.redact }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const action = target === undefined ? 'uninstall' : 'rollback';
  if (exit.code !== 0) {
    throw deployError(
      'recovery-failed',
      `release ${options.release} is stuck in ${last.status} and the ${action} to recover it failed: ${helmError(exit)}`,
      {
        exitCode: ExitCode.peer,
        hint: `Recover it by hand (helm history ${options.release} -n ${options.target.namespace}), then deploy again.`,
      },
    );
  }
  const after =
    target === undefined
      ? []
      : await releaseRevisions(options.kube, {
          namespace: options.target.namespace,
          release: options.release,
          driver: options.driver,
        });
  const newRevision = after.at(-1)?.revision;
  const stuck = {
    revision: last.revision,
    status: last.status,
    ...(last.modifiedAt === undefined ? {} : { modifiedAt: last.modifiedAt.toISOString() }),
  };
  const done =
    target === undefined
      ? `uninstalled it (its first install never completed)`
      : `rolled back to revision ${target.revision}${newRevision === undefined ? '' : ` (now revision ${newRevision})`}`;
  return {
    release: options.release,
    namespace: options.target.namespace,
    stuck,
    action,
    ...(target === undefined ? {} : { toRevision: target.revision }),
    ...(newRevision === undefined || target === undefined ? {} : { newRevision }),
    reason,
    message: `release ${options.release} was stuck in ${last.status} at revision ${last.revision}, ${reason}; ${done}`,
  };
}
