import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server: process metrics, HTTP request metrics, and whatever capabilities add. */
export function createMetrics(): { registry: Registry; requests: Counter; duration: Histogram } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chartroom_' });
  const requests = new Counter({
    name: 'chartroom_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'chartroom_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, requests, duration };
}
