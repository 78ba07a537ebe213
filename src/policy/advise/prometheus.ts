/**
 * A small client for Prometheus's HTTP API (instant and range queries). Errors become
 * ChartroomErrors with a hint: an unreachable server, an HTTP error, a query Prometheus rejects.
 */
import { ChartroomError, ExitCode } from '../../core/errors.js';

export interface Sample {
  labels: Record<string, string>;
  /** [unix seconds, value] pairs, oldest first. */
  values: [number, number][];
}

interface ApiResponse {
  status: 'success' | 'error';
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
}

export class PrometheusClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new ChartroomError(`not a URL: ${url}`, {
        code: 'usage',
        exitCode: ExitCode.usage,
        hint: 'Pass --prometheus http://host:9090',
        cause: error,
      });
    }
    this.base = parsed.toString().replace(/\/+$/, '');
  }

  async query(expr: string, time: number): Promise<Sample[]> {
    return this.call('/api/v1/query', { query: expr, time: String(time) });
  }

  async range(expr: string, start: number, end: number, stepSeconds: number): Promise<Sample[]> {
    return this.call('/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: String(stepSeconds),
    });
  }

  private async call(path: string, params: Record<string, string>): Promise<Sample[]> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const signal =
      this.options.signal === undefined ? timeout : AbortSignal.any([this.options.signal, timeout]);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        signal,
      });
    } catch (error) {
      this.options.signal?.throwIfAborted();
      throw new ChartroomError(`cannot reach Prometheus at ${this.base}`, {
        code: 'prometheus-unreachable',
        exitCode: ExitCode.remote,
        hint: 'Check the URL (port-forward with `kubectl port-forward svc/prometheus 9090`).',
        cause: error,
      });
    }
    const body = (await response.json().catch(() => undefined)) as ApiResponse | undefined;
    if (!response.ok || body?.status !== 'success' || body.data === undefined) {
      throw new ChartroomError(
        `Prometheus answered ${response.status}: ${body?.error ?? response.statusText}`,
        {
          code: 'prometheus-error',
          exitCode: ExitCode.remote,
          hint: 'Is this a Prometheus (or compatible) query API? Run the query in its UI to see more.',
        },
      );
    }
    return body.data.result.map((r) => ({
      labels: r.metric,
      values: (r.values ?? (r.value === undefined ? [] : [r.value])).map(
        ([t, v]) => [t, Number(v)] as [number, number],
      ),
    }));
  }
}
