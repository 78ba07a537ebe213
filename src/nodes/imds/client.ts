import { setTimeout as sleep } from 'node:timers/promises';
import { ImdsError, hopLimitHint, type ImdsFailure } from './errors.js';

export const defaultImdsEndpoint = 'http://169.254.169.254';

export interface ImdsClientOptions {
  /** Base URL of the metadata service (default http://169.254.169.254). */
  endpoint?: string;
  /** Lifetime asked for each IMDSv2 session token (1..21600 s; default 21600). */
  tokenTtlSeconds?: number;
  /** Per-request timeout (default 2s: IMDS answers in milliseconds, or never). */
  timeoutMs?: number;
  /** Attempts per request for errors worth retrying (default 3). */
  attempts?: number;
  /** Called for every failed attempt that will be retried, so callers can count and log it. */
  onRetry?: (error: ImdsError, attempt: number) => void;
  /** Called once when the client settles on IMDSv1 because no token could be had. */
  onFallbackToV1?: (error: ImdsError) => void;
}

export type ImdsResult = { found: true; body: string } | { found: false };

/**
 * An IMDS client with the v2 session-token flow: PUT /latest/api/token, then the token on every
 * GET, refreshed a minute before it expires and after a 401. When the token request times out
 * (the hop-limit problem of pods without hostNetwork) it falls back to IMDSv1 if the instance
 * allows it, and says clearly why it cannot work if the instance requires v2.
 */
export class ImdsClient {
  readonly endpoint: string;
  private readonly ttl: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly onRetry: ImdsClientOptions['onRetry'];
  private readonly onFallbackToV1: ImdsClientOptions['onFallbackToV1'];
  private token: { value: string; expiresAt: number } | undefined;
  /** Set once the token flow proved impossible and plain GETs work. */
  private v1Only = false;

  constructor(options: ImdsClientOptions = {}) {
    this.endpoint = (options.endpoint ?? defaultImdsEndpoint).replace(/\/+$/, '');
    this.ttl = options.tokenTtlSeconds ?? 21_600;
    if (!Number.isInteger(this.ttl) || this.ttl < 1 || this.ttl > 21_600) {
      throw new RangeError('tokenTtlSeconds must be a whole number from 1 to 21600');
    }
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.attempts = options.attempts ?? 3;
    this.onRetry = options.onRetry;
    this.onFallbackToV1 = options.onFallbackToV1;
  }

  /** Which protocol the client settled on (for logs and /healthz). */
  get mode(): 'v2' | 'v1' {
    return this.v1Only ? 'v1' : 'v2';
  }

  /**
   * GETs a metadata path (e.g. `/latest/meta-data/spot/instance-action`). 404 is an answer ("no
   * notice"), not an error. Throws ImdsError after the retries are spent.
   */
  async get(path: string, options: { signal?: AbortSignal } = {}): Promise<ImdsResult> {
    let last: ImdsError | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      options.signal?.throwIfAborted();
      try {
        return await this.getOnce(path, options.signal);
      } catch (error) {
        if (!(error instanceof ImdsError)) throw error;
        last = error;
        if (!retryable(error.reason) || attempt === this.attempts) break;
        this.onRetry?.(error, attempt);
        // 100ms, 200ms, 400ms … with jitter, so a fleet of agents does not retry in step.
        await sleep(100 * 2 ** (attempt - 1) * (0.5 + Math.random()), undefined, { signal: options.signal });
      }
    }
    throw last ?? new Error('unreachable');
  }

  private async getOnce(path: string, signal: AbortSignal | undefined): Promise<ImdsResult> {
    const headers: Record<string, string> = {};
    const token = this.v1Only ? undefined : await this.sessionToken(signal);
    if (token !== undefined) headers['X-aws-ec2-metadata-token'] = token;
    const response = await this.request('GET', path, headers, signal);
    if (response.status === 401 && token !== undefined) {
      // The token expired or the service restarted: one fresh token, then give up.
      this.token = undefined;
      const fresh = await this.sessionToken(signal);
      const retried = await this.request('GET', path, { 'X-aws-ec2-metadata-token': fresh ?? '' }, signal);
      return this.interpret(path, retried.status, retried.body);
    }
    return this.interpret(path, response.status, response.body);
  }

  private interpret(path: string, status: number, body: string): ImdsResult {
    if (status === 200) return { found: true, body };
    if (status === 404) return { found: false };
    throw statusError(path, status, this.v1Only);
  }

  private async sessionToken(signal: AbortSignal | undefined): Promise<string | undefined> {
    if (this.token !== undefined && this.token.expiresAt - Date.now() > 60_000) return this.token.value;
    const path = '/latest/api/token';
    let response: { status: number; body: string };
    try {
      response = await this.request(
        'PUT',
        path,
        { 'X-aws-ec2-metadata-token-ttl-seconds': String(this.ttl) },
        signal,
      );
    } catch (error) {
      if (error instanceof ImdsError && error.reason === 'timeout') return this.tokenTimedOut(signal);
      throw error;
    }
    if (response.status === 200 && response.body.trim() !== '') {
      this.token = { value: response.body.trim(), expiresAt: Date.now() + this.ttl * 1000 };
      return this.token.value;
    }
    // 404/405: an endpoint without IMDSv2 (old mocks, some proxies): plain GETs it is.
    if (response.status === 404 || response.status === 405) {
      this.settleOnV1(
        new ImdsError({
          reason: 'bad-response',
          path,
          status: response.status,
          message: `the metadata endpoint ${this.endpoint} does not offer IMDSv2 tokens (HTTP ${response.status}); using IMDSv1`,
          hint: 'Point --imds-endpoint at the instance metadata service or a full mock.',
        }),
      );
      return undefined;
    }
    throw statusError(path, response.status, false);
  }

  /**
   * The token PUT got no answer. With a hop limit of 1 the answer is dropped on its way into a
   * pod's network namespace, while GETs may still work (IMDSv1). Find out which case this is.
   */
  private async tokenTimedOut(signal: AbortSignal | undefined): Promise<string | undefined> {
    const probe = await this.request('GET', '/latest/meta-data/instance-id', {}, signal).catch(
      (error: unknown) => {
        if (error instanceof ImdsError) return error;
        throw error;
      },
    );
    const base = `the IMDSv2 token request (PUT /latest/api/token to ${this.endpoint}) got no answer within ${this.timeoutMs}ms`;
    if (probe instanceof ImdsError) {
      throw new ImdsError({
        reason: 'unreachable',
        path: '/latest/api/token',
        message: `${base}, and neither did a plain GET: the metadata service is unreachable from here`,
        hint: 'Check that nothing (iptables, a NetworkPolicy, a proxy) blocks 169.254.169.254, or set --imds-endpoint.',
        cause: probe,
      });
    }
    if (probe.status === 401) {
      throw new ImdsError({
        reason: 'hop-limit',
        path: '/latest/api/token',
        message: `${base}, and the instance requires IMDSv2 (a plain GET got 401): the metadata hop limit is too low for this pod`,
        hint: hopLimitHint,
      });
    }
    this.settleOnV1(
      new ImdsError({
        reason: 'hop-limit',
        path: '/latest/api/token',
        message: `${base}, but IMDSv1 answers: using IMDSv1. The metadata hop limit is probably 1, which drops token answers before they reach a pod without hostNetwork`,
        hint: hopLimitHint,
      }),
    );
    return undefined;
  }

  private settleOnV1(reason: ImdsError): void {
    if (this.v1Only) return;
    this.v1Only = true;
    this.onFallbackToV1?.(reason);
  }

  private async request(
    method: 'GET' | 'PUT',
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      const response = await fetch(`${this.endpoint}${path}`, { method, headers, signal: combined });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) {
        throw new ImdsError({
          reason: 'timeout',
          path,
          message: `${method} ${path} to ${this.endpoint} got no answer within ${this.timeoutMs}ms`,
          hint: 'The metadata service is slow or unreachable; the agent keeps trying.',
          cause: error,
        });
      }
      const detail =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ImdsError({
        reason: 'unreachable',
        path,
        message: `${method} ${path} to ${this.endpoint} failed: ${detail}`,
        hint: 'Check --imds-endpoint and that nothing blocks 169.254.169.254 from this pod.',
        cause: error,
      });
    }
  }
}

function retryable(reason: ImdsFailure): boolean {
  return (
    reason === 'timeout' || reason === 'unreachable' || reason === 'throttled' || reason === 'server-error'
  );
}

function statusError(path: string, status: number, v1Only: boolean): ImdsError {
  if (status === 401) {
    return new ImdsError({
      reason: 'unauthorized',
      path,
      status,
      message: v1Only
        ? `GET ${path} got 401: the instance requires IMDSv2, but no token could be had`
        : `GET ${path} got 401 even with a fresh IMDSv2 token`,
      hint: hopLimitHint,
    });
  }
  if (status === 403) {
    return new ImdsError({
      reason: 'forbidden',
      path,
      status,
      message: `${path} got 403: the instance metadata service is turned off for this instance`,
      hint: 'Enable it (aws ec2 modify-instance-metadata-options --http-endpoint enabled) or use the queue mode.',
    });
  }
  if (status === 429) {
    return new ImdsError({
      reason: 'throttled',
      path,
      status,
      message: `${path} got 429: too many metadata requests from this instance`,
      hint: 'Poll less often (--poll-interval) or find what else hammers IMDS on this node.',
    });
  }
  if (status >= 500) {
    return new ImdsError({
      reason: 'server-error',
      path,
      status,
      message: `${path} got HTTP ${status} from the metadata service`,
      hint: 'Usually brief; the agent retries.',
    });
  }
  return new ImdsError({
    reason: 'bad-response',
    path,
    status,
    message: `${path} got unexpected HTTP ${status} from the metadata service`,
    hint: 'Check that --imds-endpoint points at the instance metadata service.',
  });
}
