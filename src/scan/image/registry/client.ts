/**
 * A registry v2 client for pulls: the token flow of the Docker registry auth spec (a 401 with
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → a token from the realm, with Basic
 * credentials or an identity token), plain Basic auth, and blob redirects followed without
 * forwarding credentials to the storage host.
 */
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { ExitCode } from '../../../core/errors.js';
import { ScanError } from '../../errors.js';
import type { Credentials } from './credentials.js';

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or bare values). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  const scheme = match?.[1];
  if (scheme === undefined) return undefined;
  const params: Record<string, string> = {};
  const pattern = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const part of (match?.[2] ?? '').matchAll(pattern))
    params[(part[1] ?? '').toLowerCase()] = part[2] ?? part[3] ?? '';
  return { scheme: scheme.toLowerCase(), params };
}

export interface RegistryClientOptions {
  /** `host[:port]` of the v2 API. */
  host: string;
  /** Plain HTTP (loopback registries, or ones the user marked insecure). */
  insecure: boolean;
  credentials?: Credentials;
  signal?: AbortSignal;
}

export class RegistryClient {
  private readonly base: string;
  private readonly tokens = new Map<string, string>();
  private basic: string | undefined;

  constructor(private readonly options: RegistryClientOptions) {
    this.base = `${options.insecure ? 'http' : 'https'}://${options.host}`;
  }

  /** GET a registry path with the scope it needs; follows redirects itself. */
  async get(path: string, scope: string, accept?: string): Promise<Response> {
    let response = await this.send(`${this.base}${path}`, scope, accept);
    if (response.status === 401) {
      await this.authenticate(response, scope);
      response = await this.send(`${this.base}${path}`, scope, accept);
    }
    for (let hops = 0; hops < 5 && [301, 302, 303, 307, 308].includes(response.status); hops++) {
      const location = response.headers.get('location');
      if (location === null) break;
      const target = new URL(location, `${this.base}${path}`);
      // Blob storage (S3, a CDN) gets no registry credentials: only a same-origin hop keeps them.
      response =
        target.origin === this.base
          ? await this.send(target.href, scope, accept)
          : await this.fetch(target.href, {});
    }
    if (!response.ok) await this.fail(response, path);
    return response;
  }

  private async send(url: string, scope: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept !== undefined) headers.accept = accept;
    const token = this.tokens.get(scope);
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    else if (this.basic !== undefined) headers.authorization = `Basic ${this.basic}`;
    return this.fetch(url, headers);
  }

  private async fetch(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        headers: { 'user-agent': 'chartroom-scan', ...headers },
        redirect: 'manual',
        signal: this.options.signal ?? null,
      });
    } catch (error) {
      if (this.options.signal?.aborted === true) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ScanError(
        `cannot reach the registry at ${new URL(url).host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        {
          code: 'registry-unreachable',
          exitCode: ExitCode.remote,
          hint: 'Check the registry address and the network; scan a `docker save` archive when offline.',
          cause: error,
        },
      );
    }
  }

  private async authenticate(response: Response, scope: string): Promise<void> {
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    await response.body?.cancel();
    const credentials = this.options.credentials;
    if (challenge?.scheme === 'basic') {
      if (credentials === undefined || !('username' in credentials))
        throw this.unauthorized('the registry wants a user name and password');
      this.basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      return;
    }
    if (challenge?.scheme !== 'bearer' || challenge.params.realm === undefined) {
      throw this.unauthorized('the registry sent no usable authentication challenge');
    }
    const realm = new URL(challenge.params.realm);
    const service = challenge.params.service;
    let tokenResponse: Response;
    if (credentials !== undefined && 'identityToken' in credentials) {
      // OAuth2 refresh-token grant, as `docker login` identity tokens are used.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'chartroom',
        scope,
      });
      if (service !== undefined) form.set('service', service);
      tokenResponse = await this.post(realm.href, form);
    } else {
      if (service !== undefined) realm.searchParams.set('service', service);
      realm.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      tokenResponse = await this.fetch(realm.href, headers);
    }
    if (tokenResponse.status === 401 || tokenResponse.status === 403) {
      await tokenResponse.body?.cancel();
      throw this.unauthorized(
        credentials === undefined
          ? 'the registry needs credentials'
          : 'the token server refused the credentials',
      );
    }
    if (!tokenResponse.ok) {
      await tokenResponse.body?.cancel();
      throw new ScanError(`the token server ${realm.host} answered ${tokenResponse.status}`, {
        code: 'registry-auth-failed',
        exitCode: ExitCode.remote,
        hint: 'Try again later; check the registry status.',
      });
    }
    const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined) throw this.unauthorized('the token server answered without a token');
    this.tokens.set(scope, token);
  }

  private async post(url: string, form: URLSearchParams): Promise<Response> {
    try {
      return await fetch(url, {
        method: 'POST',
        body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'chartroom-scan' },
        signal: this.options.signal ?? null,
      });
    } catch (error) {
      throw new ScanError(`cannot reach the token server ${new URL(url).host}`, {
        code: 'registry-unreachable',
        exitCode: ExitCode.remote,
        hint: 'Check the network.',
        cause: error,
      });
    }
  }

  private unauthorized(why: string): ScanError {
    return new ScanError(`not authorised to pull from ${this.options.host}: ${why}`, {
      code: 'registry-unauthorized',
      exitCode: ExitCode.permission,
      hint: `Log in first (docker login ${this.options.host} or skopeo login); Chartroom reads ~/.docker/config.json and $DOCKER_CONFIG.`,
    });
  }

  private async fail(response: Response, path: string): Promise<never> {
    const text = await response.text().catch(() => '');
    let detail = '';
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      detail = errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
    } catch {
      detail = text.slice(0, 200);
    }
    if (response.status === 401 || response.status === 403)
      throw this.unauthorized(detail || `HTTP ${response.status}`);
    if (response.status === 404) {
      throw new ScanError(`not found in ${this.options.host}: ${path}${detail ? ` (${detail})` : ''}`, {
        code: 'image-not-found',
        exitCode: ExitCode.notFound,
        hint: 'Check the repository name and tag.',
      });
    }
    throw new ScanError(
      `the registry ${this.options.host} answered ${response.status} for ${path}${detail ? `: ${detail}` : ''}`,
      {
        code: 'registry-error',
        exitCode: ExitCode.remote,
        hint: 'Try again later.',
      },
    );
  }
}

export function bodyStream(response: Response): Readable {
  if (response.body === null) return Readable.from([]);
  return Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
}
