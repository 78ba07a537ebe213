/**
 * The dev capability in `chartroom serve`: the sweeper, a controller that restores swaps whose
 * CLI stopped renewing its Lease, and a dashboard page of the swaps in place. Settings come from
 * the `dev:` section of chartroom-server.yaml (without it, the plugin stays idle):
 *
 * ```yaml
 * dev:
 *   sweepInterval: 15s     # how often to look
 *   grace: 10s             # after a lease lapses, before restoring (clock skew, a slow renew)
 *   namespaces: [shop]     # default: every namespace (needs cluster-wide list rights)
 * ```
 */
import { Counter } from 'prom-client';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseGoDuration } from '../deploy/index.js';
import type { DashboardPage, ServerContext, ServerPlugin } from '../server/index.js';
import { dashboard } from '../server/index.js';
import { listSwaps } from './swap/inventory.js';
import { sweepOnce } from './swap/sweep.js';

const { html } = dashboard;

const duration = z
  .string()
  .refine((text) => parseGoDuration(text) !== undefined, 'must be a duration such as 15s or 1m');

const sectionSchema = z
  .object({
    sweepInterval: duration.default('15s'),
    grace: duration.default('10s'),
    namespaces: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export interface DevServerSettings {
  sweepIntervalMs: number;
  graceMs: number;
  namespaces: string[] | undefined;
}

export function parseDevSettings(raw: unknown): DevServerSettings {
  const parsed = sectionSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `dev: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      'See docs/dev.md for the dev: section of chartroom-server.yaml.',
    );
  }
  return {
    sweepIntervalMs: parseGoDuration(parsed.data.sweepInterval) ?? 15_000,
    graceMs: parseGoDuration(parsed.data.grace) ?? 10_000,
    namespaces: parsed.data.namespaces,
  };
}

async function renderSwaps(context: ServerContext, settings: DevServerSettings): Promise<string> {
  const scopes = settings.namespaces ?? [undefined];
  const listings = (
    await Promise.all(
      scopes.map(
        async (namespace) =>
          (await listSwaps({ kube: context.kube(), ...(namespace === undefined ? {} : { namespace }) }))
            .swaps,
      ),
    )
  ).flat();
  const rows = listings.map(
    (swap) =>
      html`<tr>
        <td>${swap.ref.namespace}</td>
        <td>${swap.ref.kind} ${swap.ref.name}</td>
        <td>${swap.record.holder}</td>
        <td>${dashboard.age(swap.record.startedAt)}</td>
        <td>${swap.lease === undefined ? 'no lease' : swap.lease.expiresAt.toISOString()}</td>
        <td>${swap.expired ? dashboard.statusBadge('expired') : dashboard.statusBadge('live')}</td>
      </tr>`,
  );
  return html`<h1>Dev swaps</h1>
    <p class="muted">
      Workloads whose pods are replaced by a relay to a developer's machine (chartroom dev --swap). Expired
      swaps are restored by the sweeper.
    </p>
    ${
      listings.length === 0
        ? html`<p>No swaps in place.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>namespace</th>
                <th>workload</th>
                <th>held by</th>
                <th>since</th>
                <th>lease until</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }`.toString();
}

export function createDevServerPlugin(): ServerPlugin {
  let settings: DevServerSettings | undefined;
  const settingsOf = (context: ServerContext): DevServerSettings => {
    settings ??= parseDevSettings(context.section('dev'));
    return settings;
  };
  return {
    name: 'dev',
    dashboard(context): readonly DashboardPage[] {
      return [
        {
          path: '/dev',
          title: 'Dev swaps',
          order: 60,
          render: () =>
            context.section('dev') === undefined
              ? Promise.resolve(
                  html`<h1>Dev swaps</h1>
                    <p>
                      The dev sweeper is not configured on this server. Add a <code>dev:</code> section to
                      chartroom-server.yaml (see docs/dev.md) to list swaps and restore abandoned ones.
                    </p>`.toString(),
                )
              : renderSwaps(context, settingsOf(context)),
        },
      ];
    },
    start(context) {
      // Like every capability, dev runs in the server only when its section is there: the sweeper
      // needs a cluster connection and rights to patch workloads.
      if (context.section('dev') === undefined) return Promise.resolve(() => Promise.resolve());
      const current = settingsOf(context);
      const restored = new Counter({
        name: 'chartroom_dev_swaps_restored_total',
        help: 'Swaps restored by the sweeper because their lease lapsed.',
        labelNames: ['outcome'],
        registers: [context.metrics],
      });
      const failures = new Counter({
        name: 'chartroom_dev_sweep_failures_total',
        help: 'Swaps or leases the sweeper failed to clean up (retried on the next pass).',
        registers: [context.metrics],
      });
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      let stopped = false;
      const pass = async (): Promise<void> => {
        try {
          const result = await sweepOnce({
            kube: context.kube(),
            ...(current.namespaces === undefined ? {} : { namespaces: current.namespaces }),
            graceMs: current.graceMs,
            by: 'the chartroom server sweeper',
          });
          for (const { swap, outcome } of result.restored) {
            restored.inc({ outcome: outcome.kind });
            context.log.info(
              {
                workload: `${swap.ref.kind}/${swap.ref.namespace}/${swap.ref.name}`,
                holder: swap.record.holder,
                outcome: outcome.kind,
              },
              'dev: restored an abandoned swap',
            );
          }
          for (const failure of result.failures) {
            failures.inc();
            context.log.warn({ what: failure.what, error: failure.message }, 'dev: sweep failed');
          }
        } catch (error) {
          failures.inc();
          context.log.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'dev: sweep failed',
          );
        }
      };
      const schedule = (): void => {
        if (stopped || context.signal.aborted) return;
        timer = setTimeout(() => {
          running = pass().finally(schedule);
        }, current.sweepIntervalMs);
      };
      running = pass().finally(schedule);
      return Promise.resolve(async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
      });
    },
  };
}

export const devServerPlugin: ServerPlugin = createDevServerPlugin();
