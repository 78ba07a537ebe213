/**
 * One deploy of a preview: the namespace's guard rails, the commit checked out, the deploy
 * capability's Helm deploy with the generated values last, and the outcome written back — onto the
 * namespace (deployed or failed commit), into the run record (log, timings, diagnosis), and to
 * GitHub (deployment status).
 */
import { valuesAt } from '../deployer.js';
import { dashboardUrl, type AppRuntime, type Runtime } from '../runtime.js';
import { previewAnnotations, type PreviewState } from '../state.js';
import { annotate, guardRails } from './namespaces.js';
import { diagnosisLines, RunLog } from './run-log.js';
import type { KubeClient } from '../../kube/index.js';

/** The values a preview adds last: its host, the image built from its commit, its name. */
export function generatedValues(
  app: AppRuntime,
  state: PreviewState,
  commit: string,
): Record<string, unknown> {
  const tag = app.config.imageTag.replace(/\{commit\}/g, commit).replace(/\{short\}/g, commit.slice(0, 7));
  return valuesAt([
    [app.config.values.host, state.host],
    [app.config.values.imageTag, tag],
    [app.config.values.envName, `preview-${state.label}`],
    [app.config.values.url, state.url],
  ]);
}

/** A new ResourceQuota is enforced only once the quota controller has filled its status. */
async function applyGuardRails(runtime: Runtime, namespace: string, signal: AbortSignal): Promise<void> {
  await runtime.kube.apply(guardRails(runtime.config, namespace) as never[]);
  await waitForQuotaStatus(runtime.kube, namespace, signal);
}

async function waitForQuotaStatus(kube: KubeClient, namespace: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !signal.aborted) {
    const quota = await kube.get<{ status?: { hard?: Record<string, string> } } & { kind?: string }>({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      name: 'chartroom-preview',
      namespace,
    });
    if (quota?.status?.hard !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function deployPreview(
  runtime: Runtime,
  app: AppRuntime,
  state: PreviewState,
  signal: AbortSignal,
): Promise<void> {
  const commit = state.desiredCommit;
  if (commit === undefined) return;
  const runStart = Date.now();
  const receivedAt = state.desiredReceivedAt === undefined ? undefined : Date.parse(state.desiredReceivedAt);
  const runId = await runtime.records.startRun({
    namespace: state.namespace,
    app: app.name,
    branch: state.branch,
    commit,
    kind: 'deploy',
    reason: state.deployedCommit === undefined ? 'new branch' : 'push',
    receivedAt: state.desiredReceivedAt ?? null,
  });
  await runtime.records.upsertPreview({
    namespace: state.namespace,
    status: 'deploying',
    desired_commit: commit,
    last_run_id: runId,
  });
  const log = new RunLog(runtime.records, runId);
  const logUrl = dashboardUrl(runtime.publicUrl, state.namespace, runId);
  log.line(`preview of ${state.branch} at ${commit} → ${state.url}`);
  runtime.log.info({ namespace: state.namespace, branch: state.branch, commit }, 'preview deploy started');
  const githubId = await app.reporter?.started({
    branch: state.branch,
    commit,
    namespace: state.namespace,
    url: state.url,
    logUrl,
  });
  if (githubId !== undefined) await runtime.records.updateRun(runId, { githubDeploymentId: githubId });

  let outcome;
  try {
    await applyGuardRails(runtime, state.namespace, signal);
    const checkout = await runtime.sources.checkout(
      { name: app.name, source: app.config.source },
      commit,
      signal,
    );
    try {
      log.line(
        `app folder: ${app.config.source.kind === 'git' ? `${app.config.source.url} at ${commit.slice(0, 12)}` : checkout.dir}`,
      );
      outcome = await runtime.deployer.deploy({
        appDir: checkout.dir,
        env: app.config.environment,
        namespace: state.namespace,
        release: state.release,
        commit,
        who: `chartroom previews (${state.pushedBy ?? 'push'})`,
        values: generatedValues(app, state, commit),
        ...(app.config.timeout === undefined ? {} : { timeout: app.config.timeout }),
        ...(runtime.kubeconfig === undefined ? {} : { kubeconfig: runtime.kubeconfig }),
        processEnv: app.processEnv,
        store: runtime.store,
        signal,
        onEvent: (event) => {
          log.event(event);
        },
      });
    } finally {
      await checkout.dispose();
    }
  } catch (error) {
    outcome = {
      status: signal.aborted ? ('interrupted' as const) : ('failed' as const),
      summary: error instanceof Error ? error.message : String(error),
      diagnosis: undefined,
      hint: (error as { hint?: string }).hint,
      deployId: undefined,
      revision: undefined,
      notes: undefined,
    };
  }
  const end = Date.now();
  const timings = log.timings(receivedAt, runStart, end);
  if (outcome.status !== 'succeeded' && outcome.diagnosis === undefined) {
    log.line(`✗ ${outcome.summary}`);
    if (outcome.hint !== undefined) log.line(`  hint: ${outcome.hint}`);
  } else if (
    outcome.status !== 'succeeded' &&
    outcome.diagnosis !== undefined &&
    !log.text().includes(outcome.diagnosis.summary)
  ) {
    for (const text of diagnosisLines(outcome.diagnosis)) log.line(text);
  }
  if (outcome.status === 'succeeded')
    log.line(`✓ ready at ${state.url} (${((end - runStart) / 1000).toFixed(1)}s)`);
  await log.close();
  await runtime.records.updateRun(runId, {
    result: outcome.status,
    summary: outcome.summary,
    diagnosis: outcome.diagnosis ?? null,
    timings,
    deployId: outcome.deployId ?? null,
    finished: true,
  });
  runtime.metrics.deploys.inc({ result: outcome.status });

  if (outcome.status === 'interrupted') {
    // Not a failure of the commit: the next reconcile deploys it again (unless it is torn down).
    await runtime.records.upsertPreview({ namespace: state.namespace, status: 'queued' });
    if (githubId !== undefined)
      await app.reporter?.inactive(githubId, 'interrupted; Chartroom deploys it again');
    return;
  }
  const ok = outcome.status === 'succeeded';
  const stillThere = await annotate(runtime.kube, state.namespace, {
    [ok ? previewAnnotations.deployedCommit : previewAnnotations.failedCommit]: commit,
    ...(ok ? { [previewAnnotations.failedCommit]: null } : {}),
  });
  await runtime.records.upsertPreview({
    namespace: state.namespace,
    status: ok ? 'ready' : 'failed',
    ...(ok ? { deployed_commit: commit } : {}),
    last_deploy_at: new Date(end).toISOString(),
  });
  runtime.log.info(
    { namespace: state.namespace, commit, result: outcome.status, timings, stillThere },
    ok ? 'preview ready' : `preview deploy failed: ${outcome.summary}`,
  );
  if (ok && timings.total !== undefined) runtime.metrics.pushToReady.observe(timings.total / 1000);
  if (githubId !== undefined) {
    if (ok) {
      await app.reporter?.succeeded(githubId, {
        url: state.url,
        logUrl,
        seconds: (end - (receivedAt ?? runStart)) / 1000,
      });
      // Transient environments are not made inactive by GitHub: retire the one this replaces.
      const replaced = await previousDeployment(runtime, state.namespace, githubId);
      if (replaced !== undefined) await app.reporter?.inactive(replaced, `replaced by ${commit.slice(0, 7)}`);
    } else {
      await app.reporter?.failed(githubId, { summary: outcome.summary, logUrl });
    }
  }
}

async function previousDeployment(
  runtime: Runtime,
  namespace: string,
  current: string,
): Promise<string | undefined> {
  const runs = await runtime.records.runs(namespace, 20);
  return (
    runs.find(
      (run) =>
        run.kind === 'deploy' &&
        run.github_deployment_id !== null &&
        run.github_deployment_id !== current &&
        run.result === 'succeeded',
    )?.github_deployment_id ?? undefined
  );
}
