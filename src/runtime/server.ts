/**
 * The runtime part of `chartroom serve`: the audit webhook and Falco alert intake on the shared
 * server, alerts kept in the shared store, and the dashboard pages — alerts counted by rule over a
 * chosen window (the talk's table) and the alert stream with filters. Settings come from the
 * `runtime:` section of chartroom-server.yaml.
 */
import type { DashboardPage, ServerContext, ServerPlugin } from '../server/index.js';
import { dashboard } from '../server/index.js';
import type { AlertPipeline } from './engine/pipeline.js';
import { runtimeRoutes } from './inputs/http-routes.js';
import { AlertStore, runtimeMigrations, type AlertQuery } from './outputs/alert-store.js';
import { parsePriority, priorities } from './rules/priority.js';
import { createRuntimeService, parseRuntimeSettings } from './service.js';

const { html } = dashboard;

const windows: Readonly<Record<string, number>> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

function priorityClass(priority: string): string {
  const rank = (priorities as readonly string[]).indexOf(priority);
  return rank <= 3 ? 'status-critical' : rank === 4 ? 'status-warning' : 'muted';
}

function queryOf(params: Record<string, string | undefined>): { query: AlertQuery; window: string } {
  const window = params.window !== undefined && windows[params.window] !== undefined ? params.window : '24h';
  const minPriority = params.priority === undefined ? undefined : parsePriority(params.priority);
  const origin = params.origin === 'falco' || params.origin === 'chartroom' ? params.origin : undefined;
  return {
    window,
    query: {
      since: new Date(Date.now() - (windows[window] as number)),
      ...(params.rule === undefined || params.rule === '' ? {} : { rule: params.rule }),
      ...(params.source === undefined || params.source === '' ? {} : { source: params.source }),
      ...(minPriority === undefined ? {} : { minPriority }),
      ...(origin === undefined ? {} : { origin }),
      ...(params.search === undefined || params.search === '' ? {} : { search: params.search }),
      limit: 200,
    },
  };
}

function link(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  return `/runtime?${search.toString()}`;
}

export async function renderRuntimePage(
  alerts: AlertStore,
  params: Record<string, string | undefined>,
): Promise<string> {
  const { query, window } = queryOf(params);
  // The table counts every rule; the rule filter narrows the stream below it.
  const { rule: _rule, ...everyRule } = query;
  const [counts, stream] = await Promise.all([alerts.countsByRule(everyRule), alerts.alerts(query)]);
  const total = counts.reduce((sum, row) => sum + row.count, 0);
  const option = (value: string, label: string, current: string | undefined) =>
    html`<option value="${value}" ${value === (current ?? '') ? dashboard.raw('selected') : ''}>
      ${label}
    </option>`;
  return html`<h1>Runtime alerts</h1>
    <form method="get" action="/runtime">
      window
      <select name="window">
        ${Object.keys(windows).map((w) => option(w, w, window))}
      </select>
      priority ≥
      <select name="priority">
        ${option('', 'any', params.priority)}
        ${priorities.map((p) => option(p.toLowerCase(), p, params.priority))}
      </select>
      origin
      <select name="origin">
        ${option('', 'any', params.origin)} ${option('chartroom', 'Chartroom rules', params.origin)}
        ${option('falco', 'Falco agents', params.origin)}
      </select>
      source <input name="source" value="${params.source ?? ''}" size="10" /> rule
      <input name="rule" value="${params.rule ?? ''}" size="24" /> text
      <input name="search" value="${params.search ?? ''}" size="16" />
      <button type="submit">show</button>
    </form>
    <h2>Alerts by rule, last ${window} (${total})</h2>
    ${
      counts.length === 0
        ? html`<p class="empty">No alerts in this window.</p>`
        : html`<table id="counts">
            <thead>
              <tr>
                <th class="num">count</th>
                <th>rule</th>
                <th>priority</th>
                <th>source</th>
                <th>last seen</th>
              </tr>
            </thead>
            <tbody>
              ${counts.map(
                (row) =>
                  html`<tr>
                    <td class="num">${row.count}</td>
                    <td><a href="${link({ ...params, rule: row.rule })}">${row.rule}</a></td>
                    <td class="status ${priorityClass(row.priority)}">${row.priority}</td>
                    <td>${row.source}</td>
                    <td class="muted">${dashboard.age(row.last.replace(/\.(\d{3})\d*Z$/, '.$1Z'))}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>Latest alerts${query.rule === undefined ? '' : ` of ${query.rule}`}</h2>
    ${
      stream.length === 0
        ? html`<p class="empty">None.</p>`
        : html`<table id="alerts">
            <thead>
              <tr>
                <th>time</th>
                <th>priority</th>
                <th>rule</th>
                <th>output</th>
                <th>from</th>
              </tr>
            </thead>
            <tbody>
              ${stream.map(
                (alert) =>
                  html`<tr>
                    <td class="muted">
                      ${dashboard.age(new Date(Number(alert.time / 1_000_000n)).toISOString())}
                    </td>
                    <td class="status ${priorityClass(alert.priority)}">${alert.priority}</td>
                    <td>${alert.rule}</td>
                    <td>${alert.message}</td>
                    <td class="muted">
                      ${alert.origin === 'falco' ? `Falco ${alert.hostname}` : 'Chartroom'}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`.value;
}

export function runtimeServerPlugin(): ServerPlugin {
  let pipeline: AlertPipeline | undefined;
  let alertStore: AlertStore | undefined;
  return {
    name: 'runtime',
    migrations: runtimeMigrations,
    async register(app, context: ServerContext) {
      const raw = context.section('runtime');
      const alerts = new AlertStore(context.store);
      alertStore = alerts;
      if (raw === undefined) return; // No intake configured: the dashboard still shows stored alerts.
      const settings = parseRuntimeSettings(raw, 'runtime');
      const service = await createRuntimeService({
        settings,
        baseDir: context.config.baseDir,
        env: process.env,
        store: context.store,
        signal: context.signal,
        log: (message) => {
          context.log.warn(message);
        },
      });
      pipeline = service.pipeline;
      await runtimeRoutes(app, {
        pipeline: service.pipeline,
        auth: {
          ...(service.token === undefined ? {} : { token: service.token }),
          clientCertificates: settings.clientCertificates && context.config.tls?.clientCa !== undefined,
          allowUnauthenticated: settings.allowUnauthenticated,
        },
        auditPath: settings.auditPath,
        falcoPaths: settings.falcoPaths,
        ...(settings.maxEventSize === undefined ? {} : { maxEventSize: settings.maxEventSize }),
        ...(settings.maxBatchSize === undefined ? {} : { maxBatchSize: settings.maxBatchSize }),
      });
      app.get('/runtime/stats', () => Promise.resolve(service.pipeline.stats()));
    },
    dashboard(): DashboardPage[] {
      return [
        {
          path: '/runtime',
          title: 'Runtime',
          order: 90,
          render: async ({ query }) =>
            alertStore === undefined
              ? '<p class="empty">Runtime is not set up.</p>'
              : renderRuntimePage(alertStore, query),
        },
      ];
    },
    start() {
      return Promise.resolve(async () => {
        await pipeline?.close();
      });
    },
  };
}
