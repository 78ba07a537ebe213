import type { Migration } from '../../store/index.js';

/**
 * Access requests and their audit trail. A grant is an approved request: the RBAC binding and
 * the mapping (this row being `active` and unexpired) live exactly as long as it does.
 */
export const accessMigrations: readonly Migration[] = [
  {
    id: 'access-001-requests',
    sql: `
CREATE TABLE access_requests (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  level TEXT NOT NULL,
  namespace TEXT,
  duration_seconds INTEGER NOT NULL,
  reason TEXT NOT NULL,
  requester_arn TEXT NOT NULL,
  requester_canonical_arn TEXT NOT NULL,
  requester_user_id TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  decision_note TEXT,
  expires_at TEXT,
  ended_at TEXT,
  binding TEXT NOT NULL,
  binding_state TEXT NOT NULL
);
CREATE INDEX access_requests_active ON access_requests (cluster, state, expires_at);
CREATE TABLE access_audit (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  request_id TEXT,
  cluster TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX access_audit_request ON access_audit (request_id, at);
`,
  },
  {
    // Dashboard sign-ins: the cookie is kept only as its hash, and the sign-in token's hash is
    // unique so a token (valid 15 minutes) signs in once; rows stay until that window has passed.
    id: 'access-002-dashboard-sessions',
    sql: `
CREATE TABLE access_dashboard_sessions (
  id TEXT PRIMARY KEY,
  token_sha256 TEXT NOT NULL UNIQUE,
  arn TEXT NOT NULL,
  canonical_arn TEXT NOT NULL,
  user_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  keep_until TEXT NOT NULL
);
CREATE INDEX access_dashboard_sessions_keep ON access_dashboard_sessions (keep_until);
`,
  },
];
