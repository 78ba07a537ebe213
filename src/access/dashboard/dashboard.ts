/**
 * Access requests in the dashboard of `chartroom serve`: sign-in with an IAM token, the Access
 * page, and the approve/deny/revoke form posts. Who decides is the signed-in principal (STS said
 * who signed the sign-in token), whether they may is the clusters catalog's approver list (read
 * at each decision, so removing an approver takes effect at once), and every form post passes the
 * cross-origin and synchronizer-token checks of guard.ts. Sign-ins, decisions and refusals land in
 * the audit trail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChartroomError, ExitCode } from '../../core/errors.js';
import type { DashboardPage } from '../../server/index.js';
import { findCluster, loadCatalog } from '../catalog/catalog.js';
import type { RbacClient } from '../requests/rbac.js';
import { isApprover, type AccessRequests, type Decision } from '../requests/service.js';
import type { ClusterAccessPolicy, Principal } from '../requests/types.js';
import { TokenRejectedError } from '../verify/errors.js';
import type { TokenVerifier } from '../verify/verifier.js';
import {
  allowedOrigins,
  crossOriginRefusal,
  readCookie,
  sameToken,
  sessionCookie,
  sessionCookieName,
  type Headers,
} from './guard.js';
import { renderAccessPage, renderRefusal } from './page.js';
import type { DashboardSession, DashboardSessions } from './sessions.js';

export interface AccessDashboardOptions {
  /** The catalog cluster whose requests this server decides (its RBAC is this server's cluster). */
  cluster: string;
  /** The `x-k8s-aws-id` sign-in tokens must be signed for (never the cluster's own id). */
  audience: string;
  /** The verifier for sign-in tokens (its cluster id is the audience). */
  verifier: TokenVerifier;
  requests: AccessRequests;
  sessions: DashboardSessions;
  rbac: RbacClient;
  /** The clusters catalog holding the approvers; without it nobody may decide. */
  catalogPath?: string;
  env: NodeJS.ProcessEnv;
  publicUrl: string;
  /** https: the cookie is `__Host-` and Secure. */
  secure: boolean;
  /** Wraps a refusal body in the dashboard layout. */
  layout(body: string): string;
  now?: () => Date;
}

type Verb = 'approve' | 'deny' | 'revoke';
const verbs = new Set<string>(['approve', 'deny', 'revoke']);

export class AccessDashboard {
  private readonly cookieName: string;
  private readonly now: () => Date;

  constructor(private readonly options: AccessDashboardOptions) {
    this.cookieName = sessionCookieName(options.secure);
    this.now = options.now ?? (() => new Date());
  }

  page(): DashboardPage {
    return {
      path: '/access',
      title: 'Access',
      order: 30,
      render: async ({ query, headers }) => {
        const session = await this.session(headers);
        const { requests, cluster } = this.options;
        if (session === undefined)
          return renderAccessPage(this.data({ pending: [], active: [], audit: [], isApprover: false }));
        let policy: ClusterAccessPolicy | undefined;
        let policyProblem: string | undefined;
        try {
          policy = await this.policy();
        } catch (error) {
          policyProblem = (error as Error).message;
        }
        const done =
          query.done === undefined ? undefined : await requests.get(query.done).catch(() => undefined);
        return renderAccessPage(
          this.data({
            session,
            isApprover: policy !== undefined && isApprover(session.principal, policy),
            approversConfigured: (policy?.approvers.length ?? 0) > 0,
            ...(policyProblem === undefined ? {} : { policyProblem }),
            pending: await requests.list({ cluster, states: ['pending'] }),
            active: await requests.list({ cluster, states: ['active'] }),
            audit: await requests.auditTrail({ cluster, latest: 20 }),
            ...(done?.cluster === cluster ? { done } : {}),
          }),
        );
      },
    };
  }

  register(app: FastifyInstance): void {
    // The decision page must not be framed (clickjacking), cached or leak its URL elsewhere.
    app.addHook('onSend', (request, reply, payload, done) => {
      const route = request.routeOptions.url ?? '';
      if (route === '/access' || route.startsWith('/access/')) {
        void reply.header('x-frame-options', 'DENY');
        void reply.header('content-security-policy', "frame-ancestors 'none'");
        void reply.header('cache-control', 'no-store');
        void reply.header('referrer-policy', 'same-origin');
      }
      done(null, payload);
    });

    app.post('/access/sign-in', async (request, reply) => {
      const refusal = this.crossOrigin(request);
      if (refusal !== undefined) return this.refuse(reply, 403, refusal);
      const token = extractToken(field(request, 'token'));
      if (token === undefined) return this.refuse(reply, 400, 'paste a token (k8s-aws-v1.…) to sign in');
      let principal: Principal;
      try {
        const identity = await this.options.verifier.verify(token);
        principal = { arn: identity.arn, canonicalArn: identity.canonicalArn, userId: identity.userId };
      } catch (error) {
        if (!(error instanceof TokenRejectedError)) throw error;
        const status = error.kind === 'throttled' ? 429 : error.kind === 'sts-unavailable' ? 503 : 401;
        return this.refuse(reply, status, `sign-in refused: ${error.message}`, {
          hint: `Make a new token for ${this.options.audience} (see the commands on the Access page).`,
        });
      }
      let signedIn: Awaited<ReturnType<DashboardSessions['signIn']>>;
      try {
        signedIn = await this.options.sessions.signIn({ principal, token });
      } catch (error) {
        if (!(error instanceof ChartroomError)) throw error;
        await this.audit(principal, 'sign-in-refused', { reason: error.message });
        return this.refuse(reply, 401, `sign-in refused: ${error.message}`, {
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        });
      }
      const { cookie, session } = signedIn;
      await this.audit(principal, 'dashboard-sign-in', { userId: principal.userId });
      void reply.header(
        'set-cookie',
        sessionCookie({
          name: this.cookieName,
          value: cookie,
          secure: this.options.secure,
          maxAgeSeconds: (session.expiresAt.getTime() - this.now().getTime()) / 1000,
        }),
      );
      return reply.redirect('/access', 303);
    });

    app.post('/access/sign-out', async (request, reply) => {
      const session = await this.checkedSession(request, reply);
      if (session === undefined) return reply;
      const cookie = readCookie(request.headers, this.cookieName) ?? '';
      await this.options.sessions.signOut(cookie);
      await this.audit(session.principal, 'dashboard-sign-out', {});
      void reply.header(
        'set-cookie',
        sessionCookie({ name: this.cookieName, value: '', secure: this.options.secure, maxAgeSeconds: 0 }),
      );
      return reply.redirect('/access', 303);
    });

    app.post('/access/requests/:id/:verb', async (request, reply) => {
      const { id = '', verb = '' } = request.params as { id?: string; verb?: string };
      if (!verbs.has(verb)) return this.refuse(reply, 404, `no such action ${verb}`);
      const session = await this.checkedSession(request, reply);
      if (session === undefined) return reply;
      const note = field(request, 'note')?.trim().slice(0, 500);
      try {
        await this.decide(verb as Verb, {
          id,
          actor: session.principal,
          ...(note === undefined || note === '' ? {} : { note }),
        });
      } catch (error) {
        if (!(error instanceof ChartroomError)) throw error;
        await this.audit(session.principal, `${verb}-refused`, { reason: error.message }, id);
        return this.refuse(
          reply,
          statusOf(error),
          error.message,
          error.hint === undefined ? {} : { hint: error.hint },
        );
      }
      return reply.redirect(`/access?done=${encodeURIComponent(id)}`, 303);
    });
  }

  private async decide(verb: Verb, input: Pick<Decision, 'id' | 'actor' | 'note'>): Promise<void> {
    const { requests, cluster, rbac } = this.options;
    const request = await requests.get(input.id);
    // This server's RBAC client is one cluster's: deciding another cluster's request here would
    // bind in the wrong place.
    if (request.cluster !== cluster) {
      throw new ChartroomError(
        `access request ${request.id} is for cluster ${request.cluster}, not ${cluster}`,
        {
          code: 'access-wrong-cluster',
          exitCode: ExitCode.conflict,
          hint: `Decide it on the server of ${request.cluster}, or with \`chartroom access ${verb}\`.`,
        },
      );
    }
    const decision: Decision = { ...input, policy: await this.policy(), rbac, via: 'dashboard' };
    if (verb === 'approve') await requests.approve(decision);
    else if (verb === 'deny') await requests.deny(decision);
    else await requests.revoke(decision);
  }

  private async policy(): Promise<ClusterAccessPolicy> {
    const path = this.options.catalogPath;
    if (path === undefined) return { approvers: [], maxDurationSeconds: 0 };
    try {
      const entry = findCluster(
        await loadCatalog({ path, env: this.options.env }),
        this.options.cluster,
        path,
      );
      return { approvers: entry.approvers, maxDurationSeconds: entry.maxDurationSeconds };
    } catch (error) {
      // A broken catalog must not read as "you are not an approver": say what is wrong.
      throw new ChartroomError(
        `the approvers of ${this.options.cluster} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        {
          code: 'access-policy-unavailable',
          exitCode: ExitCode.config,
          hint: 'Fix access.catalog of the server.',
          cause: error,
        },
      );
    }
  }

  private session(headers: Headers): Promise<DashboardSession | undefined> {
    return this.options.sessions.find(readCookie(headers, this.cookieName));
  }

  /** The session of a form post that passed the cross-origin and synchronizer-token checks. */
  private async checkedSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<DashboardSession | undefined> {
    const refusal = this.crossOrigin(request);
    if (refusal !== undefined) {
      this.refuse(reply, 403, refusal);
      return undefined;
    }
    const session = await this.session(request.headers);
    if (session === undefined) {
      this.refuse(reply, 401, 'you are not signed in (or your session ended)', {
        hint: 'Sign in again on the Access page.',
      });
      return undefined;
    }
    if (!sameToken(session.csrf, field(request, 'csrf'))) {
      await this.audit(session.principal, 'csrf-refused', { path: request.url });
      this.refuse(reply, 403, 'the form did not carry this session’s token', {
        hint: 'Reload the Access page and try again.',
      });
      return undefined;
    }
    return session;
  }

  private crossOrigin(request: FastifyRequest): string | undefined {
    return crossOriginRefusal(
      request.headers,
      allowedOrigins({
        publicUrl: this.options.publicUrl,
        host: request.headers.host,
        secure: this.options.secure,
      }),
    );
  }

  private refuse(
    reply: FastifyReply,
    status: number,
    message: string,
    extra: { hint?: string } = {},
  ): FastifyReply {
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(this.options.layout(renderRefusal({ message, ...extra })));
  }

  private audit(
    actor: Principal,
    action: string,
    detail: Record<string, unknown>,
    requestId?: string,
  ): Promise<void> {
    return this.options.requests.record({
      cluster: this.options.cluster,
      actor: actor.arn,
      action,
      detail: { ...detail, via: 'dashboard' },
      ...(requestId === undefined ? {} : { requestId }),
    });
  }

  private data(
    parts: Pick<Parameters<typeof renderAccessPage>[0], 'pending' | 'active' | 'audit' | 'isApprover'> &
      Partial<Parameters<typeof renderAccessPage>[0]>,
  ): Parameters<typeof renderAccessPage>[0] {
    return {
      cluster: this.options.cluster,
      audience: this.options.audience,
      approversConfigured: false,
      now: this.now().getTime(),
      ...parts,
    };
  }
}

function field(request: FastifyRequest, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The token from what a person pasted: the token itself, or a whole ExecCredential. */
export function extractToken(pasted: string | undefined): string | undefined {
  const text = pasted?.trim();
  if (text === undefined || text === '') return undefined;
  if (text.startsWith('{')) {
    try {
      const token = (JSON.parse(text) as { status?: { token?: unknown } }).status?.token;
      return typeof token === 'string' ? token : undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}

function statusOf(error: ChartroomError): number {
  switch (error.exitCode) {
    case ExitCode.notFound:
      return 404;
    case ExitCode.permission:
      return 403;
    case ExitCode.conflict:
      return 409;
    case ExitCode.usage:
      return 400;
    case ExitCode.remote:
      return 502;
    default:
      return 500;
  }
}
