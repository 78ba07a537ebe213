/**
 * The sweep: belt and braces for missed branch-delete webhooks. It asks the git host which
 * branches exist and marks for teardown every preview of a branch that does not — and nothing
 * else: a preview pushed to within the grace period is left alone (the host may not list a new
 * branch yet), a failed or empty branch list stops the sweep for that app (an outage must not
 * look like "every branch was deleted"), and only namespaces labelled as this app's previews are
 * considered.
 */
import { remoteBranches } from '../source.js';
import type { AppRuntime, Runtime } from '../runtime.js';
import type { PreviewState } from '../state.js';
import { listPreviews } from './namespaces.js';

export async function existingBranches(
  app: AppRuntime,
  signal?: AbortSignal,
): Promise<Set<string> | undefined> {
  switch (app.config.branchesFrom) {
    case 'github':
      return app.githubApi === undefined ? undefined : new Set(await app.githubApi.branches(signal));
    case 'git':
      return app.config.source.kind === 'git'
        ? new Set(await remoteBranches(app.config.source.url, signal))
        : undefined;
    case 'none':
      return undefined;
  }
}

export interface SweepResult {
  app: string;
  checked: number;
  gone: PreviewState[];
  skipped?: string;
}

export async function sweepApp(
  runtime: Runtime,
  app: AppRuntime,
  signal?: AbortSignal,
): Promise<SweepResult> {
  let branches: Set<string> | undefined;
  try {
    branches = await existingBranches(app, signal);
  } catch (error) {
    return {
      app: app.name,
      checked: 0,
      gone: [],
      skipped: `cannot list branches: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (branches === undefined)
    return { app: app.name, checked: 0, gone: [], skipped: 'no branch source (branchesFrom: none)' };
  if (branches.size === 0)
    return { app: app.name, checked: 0, gone: [], skipped: 'the host listed no branches at all' };
  const previews = await listPreviews(runtime.kube, app.name);
  const graceEnd = Date.now() - runtime.config.sweepGrace;
  const gone = previews.filter(
    (state) =>
      !branches.has(state.branch) &&
      state.teardown === undefined &&
      !state.terminating &&
      Date.parse(state.lastPushAt ?? state.createdAt ?? '') < graceEnd,
  );
  return { app: app.name, checked: previews.length, gone };
}
