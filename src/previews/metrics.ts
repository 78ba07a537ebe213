/** The previews' own Prometheus metrics, on the server's /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class PreviewMetrics {
  readonly webhooks: Counter<'source' | 'outcome'>;
  readonly deploys: Counter<'result'>;
  readonly teardowns: Counter<'reason'>;
  readonly running: Gauge;
  readonly runningMax: Gauge;
  readonly queued: Gauge;
  readonly pushToReady: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.webhooks = new Counter({
      name: 'chartroom_previews_webhooks_total',
      help: 'Git webhook deliveries by source and outcome (accepted, duplicate, rejected, ignored, error)',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.deploys = new Counter({
      name: 'chartroom_previews_deploys_total',
      help: 'Preview deploys by result',
      labelNames: ['result'],
      registers,
    });
    this.teardowns = new Counter({
      name: 'chartroom_previews_teardowns_total',
      help: 'Previews torn down, by reason (branch-deleted, ttl, sweep, manual)',
      labelNames: ['reason'],
      registers,
    });
    this.running = new Gauge({
      name: 'chartroom_previews_runs_running',
      help: 'Preview deploys and teardowns running now',
      registers,
    });
    this.runningMax = new Gauge({
      name: 'chartroom_previews_runs_running_max',
      help: 'The most preview runs that ran at once since the server started (bounded by previews.concurrency)',
      registers,
    });
    this.queued = new Gauge({
      name: 'chartroom_previews_runs_queued',
      help: 'Previews waiting for a deploy or teardown slot',
      registers,
    });
    this.pushToReady = new Histogram({
      name: 'chartroom_previews_push_to_ready_seconds',
      help: 'From the push arriving at the server to the preview being ready',
      buckets: [5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
  }
}
