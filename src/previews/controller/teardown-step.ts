/**
 * Tearing a preview down: its Helm release uninstalled (under the deploy lock, so never in the
 * middle of a deploy; chart hooks and cluster-scoped objects go with it), then its namespace
 * deleted (which takes everything else, Helm's release records included), then GitHub told the
 * environment is gone. Every step is idempotent: a second branch-delete event, a restart halfway,
 * or the sweep finding the same preview again all end in the same place.
 */
import type { AppRuntime, Runtime } from '../runtime.js';
import type { PreviewState } from '../state.js';
import { readPreview } from './namespaces.js';
import { RunLog } from './run-log.js';

export const teardownReasons: Record<string, string> = {
  'branch-deleted': 'the branch was deleted',
  ttl: 'no push for longer than the TTL',
  sweep: 'the branch no longer exists (found by the sweep)',
  manual: 'requested with chartroom previews delete',
};

/** Uninstalls and deletes; true when the namespace is gone (else the API server is still at it). */
export async function teardownPreview(
  runtime: Runtime,
  app: AppRuntime | undefined,
  state: PreviewState,
  signal: AbortSignal,
): Promise<boolean> {
  const reason = state.teardown ?? 'manual';
  const runId = await runtime.records.startRun({
    namespace: state.namespace,
    app: state.app,
    branch: state.branch,
    commit: state.deployedCommit ?? null,
    kind: 'teardown',
    reason,
    receivedAt: state.teardownAt ?? null,
  });
  await runtime.records.upsertPreview({ namespace: state.namespace, status: 'tearing-down' });
  const log = new RunLog(runtime.records, runId);
  log.line(`tearing down the preview of ${state.branch}: ${teardownReasons[reason] ?? reason}`);
  try {
    if (!state.terminating) {
      const removed = await runtime.deployer.uninstall({
        namespace: state.namespace,
        release: state.release,
        ...(runtime.kubeconfig === undefined ? {} : { kubeconfig: runtime.kubeconfig }),
        processEnv: app?.processEnv ?? process.env,
        signal,
      });
      log.line(
        removed ? `helm uninstall ${state.release}: done` : `release ${state.release} was not installed`,
      );
      await runtime.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: state.namespace });
      log.line(`namespace ${state.namespace} deleted`);
    }
    // The API server finishes a namespace deletion in the background; wait a little for it.
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline && !signal.aborted) {
      gone = !(await readPreview(runtime.kube, state.namespace)).exists;
      if (!gone) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    log.line(gone ? 'namespace gone' : 'namespace still terminating; the controller checks again');
    await log.close();
    await runtime.records.updateRun(runId, {
      result: 'succeeded',
      summary: `removed: ${teardownReasons[reason] ?? reason}`,
      finished: true,
    });
    return gone;
  } catch (error) {
    log.line(`✗ teardown failed: ${error instanceof Error ? error.message : String(error)}`);
    await log.close();
    await runtime.records.updateRun(runId, {
      result: signal.aborted ? 'interrupted' : 'failed',
      summary: error instanceof Error ? error.message : String(error),
      finished: true,
    });
    throw error;
  }
}
