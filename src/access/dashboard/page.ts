/**
 * The Access page of the dashboard. Signed out: how to sign in (a token from the CLI a person
 * already uses for kubectl, signed for the dashboard's audience). Signed in: the cluster's pending
 * requests with approve/deny forms (for approvers, never on their own requests), the active grants
 * with revoke forms, and the latest audit entries. Server-rendered; forms carry the session's
 * synchronizer token.
 */
import { dashboard } from '../../server/index.js';
import { formatDuration } from '../requests/duration.js';
import { samePrincipal } from '../requests/service.js';
import type { AccessRequest, AuditEvent } from '../requests/types.js';
import type { DashboardSession } from './sessions.js';

const { html, age, statusBadge } = dashboard;
type Html = dashboard.Html;

export interface AccessPageData {
  cluster: string;
  audience: string;
  session?: DashboardSession;
  isApprover: boolean;
  approversConfigured: boolean;
  /** Why the approvers could not be read (a broken catalog), shown instead of a role. */
  policyProblem?: string;
  pending: readonly AccessRequest[];
  active: readonly AccessRequest[];
  audit: readonly AuditEvent[];
  /** The request a decision just changed (after the redirect), to confirm it. */
  done?: AccessRequest;
  now: number;
}

const scope = (request: AccessRequest): string =>
  request.namespace === undefined ? 'whole cluster' : `namespace ${request.namespace}`;

function signIn(data: AccessPageData): Html {
  return html`<section id="sign-in">
    <p>
      Sign in with your AWS identity to see and decide access requests for <code>${data.cluster}</code>. Make
      a token signed for this dashboard with the tool you use for kubectl (it is valid for 15 minutes and
      signs in once), then paste it here:
    </p>
    <pre>
chartroom access token --cluster-id ${data.audience} --token-only
aws-iam-authenticator token -i ${data.audience} --token-only</pre>
    <form method="post" action="/access/sign-in">
      <p>
        <label
          >Token<br /><textarea
            name="token"
            rows="4"
            cols="90"
            required
            spellcheck="false"
            autocomplete="off"
          ></textarea>
        </label>
      </p>
      <button type="submit">Sign in</button>
    </form>
  </section>`;
}

function decisionForm(request: AccessRequest, csrf: string): Html {
  return html`<form method="post" action="/access/requests/${request.id}/approve" class="decide">
    <input type="hidden" name="csrf" value="${csrf}" />
    <input type="text" name="note" placeholder="note for the audit trail" maxlength="500" />
    <button type="submit" name="decision" value="approve">Approve</button>
    <button type="submit" name="decision" value="deny" formaction="/access/requests/${request.id}/deny">
      Deny
    </button>
  </form>`;
}

function pendingTable(data: AccessPageData, session: DashboardSession): Html {
  if (data.pending.length === 0) return html`<p class="empty" id="no-pending">No pending requests.</p>`;
  return html`<table id="pending">
    <thead>
      <tr>
        <th>Request</th>
        <th>Requester</th>
        <th>Level</th>
        <th>For</th>
        <th>Reason</th>
        <th>Asked</th>
        <th>Decision</th>
      </tr>
    </thead>
    <tbody>
      ${data.pending.map(
        (request) =>
          html`<tr data-request="${request.id}">
            <td><code>${request.id}</code></td>
            <td>${request.requester.arn}</td>
            <td>${request.level} <span class="muted">(${scope(request)})</span></td>
            <td>${formatDuration(request.durationSeconds)}</td>
            <td>${request.reason}</td>
            <td>${age(request.createdAt, data.now)}</td>
            <td>
              ${
                !data.isApprover
                  ? html`<span class="muted">approvers decide</span>`
                  : samePrincipal(request.requester, session.principal)
                    ? html`<span class="muted">your own request: another approver decides</span>`
                    : decisionForm(request, session.csrf)
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function activeTable(data: AccessPageData, session: DashboardSession): Html {
  if (data.active.length === 0) return html`<p class="empty" id="no-active">No active grants.</p>`;
  return html`<table id="active">
    <thead>
      <tr>
        <th>Request</th>
        <th>Requester</th>
        <th>Level</th>
        <th>Approved by</th>
        <th>Ends</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${data.active.map((request) => {
        const left = Date.parse(request.expiresAt ?? '') - data.now;
        const mayRevoke = data.isApprover || samePrincipal(request.requester, session.principal);
        return html`<tr data-request="${request.id}">
          <td><code>${request.id}</code></td>
          <td>${request.requester.arn}</td>
          <td>${request.level} <span class="muted">(${scope(request)})</span></td>
          <td>${request.decidedBy ?? ''}</td>
          <td title="${request.expiresAt ?? ''}">
            ${left > 0 ? `in ${formatDuration(Math.ceil(left / 1000))}` : 'now'}
          </td>
          <td>
            ${
              mayRevoke
                ? html`<form method="post" action="/access/requests/${request.id}/revoke" class="inline">
                    <input type="hidden" name="csrf" value="${session.csrf}" />
                    <button type="submit">Revoke</button>
                  </form>`
                : ''
            }
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function auditTable(events: readonly AuditEvent[], now: number): Html {
  if (events.length === 0) return html``;
  return html`<h2>Audit trail (latest ${events.length})</h2>
    <table id="audit">
      <thead>
        <tr>
          <th>When</th>
          <th>Request</th>
          <th>Action</th>
          <th>By</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        ${events.map(
          (event) =>
            html`<tr>
              <td title="${event.at}">${age(event.at, now)}</td>
              <td><code>${event.requestId ?? ''}</code></td>
              <td>${event.action}</td>
              <td>${event.actor}</td>
              <td class="muted">${JSON.stringify(event.detail)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function renderAccessPage(data: AccessPageData): string {
  const session = data.session;
  if (session === undefined) {
    return html`<h1>Access requests</h1>
      ${signIn(data)}`.value;
  }
  const role = data.isApprover
    ? html`an approver of <code>${data.cluster}</code>`
    : data.policyProblem !== undefined
      ? html`<span class="status-failed">${data.policyProblem}</span>`
      : data.approversConfigured
        ? html`not an approver of <code>${data.cluster}</code>`
        : html`<span class="status-failed"
            >no approvers are configured for <code>${data.cluster}</code></span
          >`;
  return html`<h1>Access requests</h1>
    <div id="who">
      Signed in as <strong id="principal">${session.principal.arn}</strong>, ${role}.
      <form method="post" action="/access/sign-out" class="inline">
        <input type="hidden" name="csrf" value="${session.csrf}" />
        <button type="submit">Sign out</button>
      </form>
    </div>
    ${
      data.done === undefined
        ? ''
        : html`<p id="done">Request <code>${data.done.id}</code> is now ${statusBadge(data.done.state)}.</p>`
    }
    <h2>Pending</h2>
    ${pendingTable(data, session)}
    <h2>Active grants</h2>
    ${activeTable(data, session)} ${auditTable(data.audit, data.now)}`.value;
}

/** A small page for a refused form post (shown with its HTTP status). */
export function renderRefusal(options: { message: string; hint?: string }): string {
  return html`<h1>Access requests</h1>
    <p class="status-failed" id="refused">${options.message}</p>
    ${options.hint === undefined ? '' : html`<p class="muted">${options.hint}</p>`}
    <p><a href="/access">Back to access requests</a></p>`.value;
}
