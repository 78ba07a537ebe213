/**
 * A STAND-IN for GitHub's REST API (api.github.com cannot be reached from tests). It serves the
 * calls previews make — Deployments, deployment statuses, branches — and checks each request the
 * way GitHub does: the method and path, the bearer token (401 "Bad credentials"), the Accept and
 * API-version headers, and the body (422 "Validation Failed" for a missing ref, an unknown state,
 * a description over 140 characters, a status for a deployment that does not exist is a 404).
 * It is stricter than GitHub in one way: unknown body fields are refused, so typos fail tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface StandinRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface StandinDeployment {
  id: number;
  ref: string;
  environment: string;
  transient_environment: boolean;
  production_environment: boolean;
  description: string;
  payload: unknown;
  statuses: { state: string; environment_url?: string; log_url?: string; description?: string }[];
}

const deploymentBody = z
  .object({
    ref: z.string().min(1),
    task: z.string().optional(),
    auto_merge: z.boolean().optional(),
    required_contexts: z.array(z.string()).optional(),
    payload: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    environment: z.string().optional(),
    description: z.string().max(140).nullable().optional(),
    transient_environment: z.boolean().optional(),
    production_environment: z.boolean().optional(),
  })
  .strict();

const statusBody = z
  .object({
    state: z.enum(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']),
    target_url: z.string().optional(),
    log_url: z.url().optional(),
    description: z.string().max(140).optional(),
    environment: z.string().optional(),
    environment_url: z.url().optional(),
    auto_inactive: z.boolean().optional(),
  })
  .strict();

export interface GitHubStandinOptions {
  token: string;
  /** owner/name → branches (name → head sha). */
  repos: Record<string, Record<string, string>>;
  /** Answer the next N requests with 502 (to exercise retries). */
  failNext?: number;
}

export class GitHubStandin {
  readonly requests: StandinRequest[] = [];
  readonly deployments: StandinDeployment[] = [];
  private server: Server | undefined;
  private failNext: number;
  url = '';

  constructor(readonly options: GitHubStandinOptions) {
    this.failNext = options.failNext ?? 0;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.server === undefined) resolve();
      else
        this.server.close(() => {
          resolve();
        });
    });
  }

  failNextRequests(count: number): void {
    this.failNext = count;
  }

  /** The deployments of one environment, oldest first. */
  environment(name: string): StandinDeployment[] {
    return this.deployments.filter((deployment) => deployment.environment === name);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://standin');
    const method = request.method ?? 'GET';
    let body: unknown;
    const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(data));
    };
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      send(400, { message: 'Problems parsing JSON' });
      return;
    }
    this.requests.push({ method, path: url.pathname + url.search, body });
    if (this.failNext > 0) {
      this.failNext -= 1;
      send(502, { message: 'Server Error' });
      return;
    }
    const auth = request.headers.authorization ?? '';
    if (auth !== `Bearer ${this.options.token}` && auth !== `token ${this.options.token}`) {
      send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (!(request.headers.accept ?? '').includes('application/vnd.github')) {
      send(415, { message: 'Unsupported Media Type: send Accept: application/vnd.github+json' });
      return;
    }
    if (request.headers['x-github-api-version'] !== '2022-11-28') {
      send(400, { message: 'Unsupported API version' });
      return;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(deployments|branches)(?:\/(\d+)\/(statuses))?$/.exec(
      url.pathname,
    );
    const repo = match === null ? undefined : `${match[1] ?? ''}/${match[2] ?? ''}`;
    const branches = repo === undefined ? undefined : this.options.repos[repo];
    if (match === null || branches === undefined) {
      send(404, { message: 'Not Found' });
      return;
    }
    if (match[3] === 'branches' && method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const names = Object.keys(branches).sort();
      const slice = names.slice((page - 1) * perPage, page * perPage);
      const more = page * perPage < names.length;
      send(
        200,
        slice.map((name) => ({ name, commit: { sha: branches[name] }, protected: false })),
        more ? { link: `<${this.url}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {},
      );
      return;
    }
    if (match[3] === 'deployments' && match[5] === undefined && method === 'POST') {
      const parsed = deploymentBody.safeParse(body);
      if (!parsed.success) {
        send(422, {
          message: 'Validation Failed',
          errors: parsed.error.issues.map((issue) => issue.message),
        });
        return;
      }
      const known = Object.entries(branches).some(
        ([name, sha]) => name === parsed.data.ref || sha === parsed.data.ref,
      );
      if (!known && !/^[0-9a-f]{40}$/.test(parsed.data.ref)) {
        send(422, { message: `No ref found for: ${parsed.data.ref}` });
        return;
      }
      const deployment: StandinDeployment = {
        id: 1000 + this.deployments.length + 1,
        ref: parsed.data.ref,
        environment: parsed.data.environment ?? 'production',
        transient_environment: parsed.data.transient_environment ?? false,
        production_environment: parsed.data.production_environment ?? parsed.data.environment === undefined,
        description: parsed.data.description ?? '',
        payload: parsed.data.payload ?? {},
        statuses: [],
      };
      this.deployments.push(deployment);
      send(201, { id: deployment.id, ref: deployment.ref, environment: deployment.environment });
      return;
    }
    if (match[5] === 'statuses' && method === 'POST') {
      const deployment = this.deployments.find((candidate) => candidate.id === Number(match[4]));
      if (deployment === undefined) {
        send(404, { message: 'Not Found' });
        return;
      }
      const parsed = statusBody.safeParse(body);
      if (!parsed.success) {
        send(422, {
          message: 'Validation Failed',
          errors: parsed.error.issues.map((issue) => issue.message),
        });
        return;
      }
      deployment.statuses.push(parsed.data);
      send(201, { id: deployment.statuses.length, state: parsed.data.state });
      return;
    }
    send(404, { message: 'Not Found' });
  }
}
