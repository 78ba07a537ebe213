/**
 * The Previews page of the dashboard: every live preview with its branch, URL, status, commit,
 * age, expiry and last deploy; and, for one preview (`?preview=<namespace>`), its details, the log
 * of its last deploy (or of the run picked in the history, `&run=<id>`) with the rollout
 * diagnosis, and its deploy history. Server-rendered; it reloads itself while something runs.
 */
import { dashboard } from '../../server/index.js';
import type { DashboardPage } from '../../server/index.js';
import { formatDuration } from '../duration.js';
import type { PreviewRow, Run, RunTimings } from '../records.js';
import type { Runtime } from '../runtime.js';

const { html, raw, age, statusBadge } = dashboard;
type Html = dashboard.Html;

const busy = new Set(['queued', 'deploying', 'tearing-down']);
const short = (sha: string | null | undefined): string => (sha ?? '').slice(0, 7);
const seconds = (ms: number | undefined): string => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`);

function expiry(row: PreviewRow, now: number): Html {
  if (row.expires_at === null) return html`<span class="muted">never</span>`;
  const left = Date.parse(row.expires_at) - now;
  return left <= 0 ? html`<span class="status-failed">expired</span>` : html`in ${formatDuration(left)}`;
}

function previewTable(rows: readonly PreviewRow[], runs: Map<string, Run | undefined>, now: number): Html {
  if (rows.length === 0)
    return html`<p class="empty" id="no-previews">
      No previews yet. Push a branch to a registered repository.
    </p>`;
  return html`<table id="previews">
    <thead>
      <tr>
        <th>Branch</th>
        <th>URL</th>
        <th>Status</th>
        <th>Commit</th>
        <th>Age</th>
        <th>Expires</th>
        <th>Last deploy</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((row) => {
        const run = row.last_run_id === null ? undefined : runs.get(row.last_run_id);
        return html`<tr data-namespace="${row.namespace}">
          <td>
            <a class="preview-link" href="/previews?preview=${encodeURIComponent(row.namespace)}"
              >${row.branch}</a
            >
            <div class="muted">${row.app} · ${row.namespace}</div>
          </td>
          <td><a class="preview-url" href="${row.url}">${row.url}</a></td>
          <td>${statusBadge(row.status)}</td>
          <td>
            <code title="${row.desired_commit ?? ''}">${short(row.desired_commit)}</code
            >${row.deployed_commit !== null && row.deployed_commit !== row.desired_commit ? html` <span class="muted">(live: ${short(row.deployed_commit)})</span>` : ''}
          </td>
          <td>${age(row.created_at, now)}</td>
          <td>${expiry(row, now)}</td>
          <td>
            ${run === undefined ? html`<span class="muted">none yet</span>` : html`${age(run.finished_at ?? run.started_at, now)} <span class="muted">${run.result === 'running' ? 'running' : `${run.result}, ${seconds(run.timings.deploy)}`}</span>`}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function removedTable(rows: readonly PreviewRow[], now: number): Html {
  if (rows.length === 0) return html``;
  return html`<h2>Removed and refused</h2>
    <table id="removed">
      <thead>
        <tr>
          <th>Branch</th>
          <th>Status</th>
          <th>Why</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr data-namespace="${row.namespace}">
              <td><a href="/previews?preview=${encodeURIComponent(row.namespace)}">${row.branch}</a></td>
              <td>${statusBadge(row.status)}</td>
              <td>${row.removed_reason ?? ''}</td>
              <td>${age(row.removed_at ?? row.updated_at, now)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function timingsLine(timings: RunTimings): Html {
  const parts: [string, number | undefined][] = [
    ['push → deploy start', timings.webhookToStart],
    ['of which queued', timings.queue],
    ['Helm apply + hooks', timings.helmApply],
    ['rollout', timings.rollout],
    ['push → ready', timings.total],
  ];
  const shown = parts.filter(([, value]) => value !== undefined);
  if (shown.length === 0) return html``;
  return html`<p id="timings" class="muted">
    ${shown.map(([name, value], index) => html`${index === 0 ? '' : ' · '}${name} <strong>${seconds(value)}</strong>`)}
  </p>`;
}

function runSection(run: Run, selected: boolean): Html {
  const diagnosis = run.diagnosis;
  return html`<section id="run" data-run="${run.id}">
    <h2>${selected ? 'Run' : 'Last run'}: ${run.kind} ${short(run.commit_sha)} ${statusBadge(run.result)}</h2>
    <p>${run.summary ?? ''} <span class="muted">(${run.reason}, started ${run.started_at})</span></p>
    ${timingsLine(run.timings)}
    ${
      diagnosis === null
        ? ''
        : html`<div id="diagnosis" class="status-failed">
            <strong>${diagnosis.summary}</strong>
            ${diagnosis.message !== diagnosis.summary ? html`<div>${diagnosis.message}</div>` : ''}
            ${diagnosis.logs === undefined ? '' : html`<pre>${diagnosis.logs.join('\n')}</pre>`}
            <div class="muted">hint: ${diagnosis.hint}</div>
          </div>`
    }
    <pre id="log">${run.log === '' ? '(no output yet)' : run.log}</pre>
  </section>`;
}

function historyTable(namespace: string, runs: readonly Run[], current: string | undefined): Html {
  if (runs.length === 0) return html`<p class="empty">No runs yet.</p>`;
  return html`<table id="history">
    <thead>
      <tr>
        <th>Started</th>
        <th>Run</th>
        <th>Commit</th>
        <th>Result</th>
        <th class="num">Duration</th>
        <th>Summary</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map(
        (run) =>
          html`<tr data-run="${run.id}" class="${run.id === current ? 'current' : ''}">
            <td>
              <a
                class="run-link"
                href="/previews?preview=${encodeURIComponent(namespace)}&run=${encodeURIComponent(run.id)}"
                >${run.started_at.replace('T', ' ').slice(0, 19)}</a
              >
            </td>
            <td>${run.kind} <span class="muted">(${run.reason})</span></td>
            <td><code>${short(run.commit_sha)}</code></td>
            <td>${statusBadge(run.result)}</td>
            <td class="num">${seconds(run.timings.deploy)}</td>
            <td>${run.summary ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

async function listPage(
  runtime: Runtime,
  controllerStats: () => { running: number; queued: number },
): Promise<string> {
  const now = Date.now();
  const all = await runtime.records.previews({ includeRemoved: true });
  const live = all.filter((row) => row.status !== 'removed' && row.status !== 'refused');
  const gone = all.filter((row) => row.status === 'removed' || row.status === 'refused').slice(0, 20);
  const runs = new Map<string, Run | undefined>();
  for (const row of live)
    if (row.last_run_id !== null) runs.set(row.last_run_id, await runtime.records.run(row.last_run_id));
  const stats = controllerStats();
  const refresh = live.some((row) => busy.has(row.status))
    ? raw('<meta http-equiv="refresh" content="3" />')
    : '';
  return html`${refresh}
    <h1>Previews</h1>
    <p class="muted" id="summary">
      ${live.length} live of at most ${runtime.config.maxPreviews} · ${stats.running} running, ${stats.queued}
      queued (at most ${runtime.config.concurrency} at once) · torn down after
      ${runtime.config.ttl > 0 ? formatDuration(runtime.config.ttl) : 'never'} without a push
    </p>
    ${previewTable(live, runs, now)} ${removedTable(gone, now)}`.value;
}

async function detailPage(runtime: Runtime, namespace: string, runId: string | undefined): Promise<string> {
  const row = await runtime.records.preview(namespace);
  if (row === undefined)
    return html`<p><a href="/previews">← All previews</a></p>
      <p class="empty">No preview ${namespace}.</p>`.value;
  const now = Date.now();
  const runs = await runtime.records.runs(namespace, 50);
  const selected = runId === undefined ? undefined : runs.find((run) => run.id === runId);
  const shown = selected ?? runs[0];
  const shownFull = shown === undefined ? undefined : await runtime.records.run(shown.id);
  const refresh =
    busy.has(row.status) && runId === undefined ? raw('<meta http-equiv="refresh" content="3" />') : '';
  const fact = (name: string, value: Html | string): Html =>
    html`<tr>
      <th>${name}</th>
      <td>${value}</td>
    </tr>`;
  return html`${refresh}
    <p><a id="back" href="/previews">← All previews</a></p>
    <h1>Preview of <code>${row.branch}</code> ${statusBadge(row.status)}</h1>
    <table id="facts" style="width:auto">
      ${fact('URL', row.status === 'removed' ? row.url : html`<a href="${row.url}">${row.url}</a>`)}
      ${fact('App', `${row.app} (${row.repo})`)}
      ${fact('Namespace / release', `${row.namespace} / ${row.release}`)}
      ${fact('Commit', html`<code>${row.desired_commit ?? ''}</code>${row.deployed_commit !== null && row.deployed_commit !== row.desired_commit ? html` <span class="muted">live: ${short(row.deployed_commit)}</span>` : ''}`)}
      ${fact('Pushed by', row.pushed_by ?? '')}
      ${fact('Created', `${age(row.created_at, now)} (${row.created_at})`)}
      ${fact('Last push', age(row.last_push_at, now))} ${fact('Expires', expiry(row, now))}
      ${fact('Last deploy', row.last_deploy_at === null ? 'none yet' : age(row.last_deploy_at, now))}
      ${row.removed_reason === null ? '' : fact('Removed because', row.removed_reason)}
    </table>
    ${shownFull === undefined ? '' : runSection(shownFull, selected !== undefined)}
    <h2>Deploy history</h2>
    ${historyTable(namespace, runs, shown?.id)}`.value;
}

export function previewPages(
  runtime: Runtime,
  stats: () => { running: number; queued: number },
): DashboardPage[] {
  return [
    {
      path: '/previews',
      title: 'Previews',
      order: 10,
      render: ({ query }) =>
        query.preview === undefined
          ? listPage(runtime, stats)
          : detailPage(runtime, query.preview, query.run),
    },
  ];
}
