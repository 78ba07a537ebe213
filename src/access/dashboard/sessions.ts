/**
 * Dashboard sessions. A person signs in with an aws-iam-authenticator token signed for the
 * dashboard's own audience (so STS, not a typed name, says who they are), and gets a random
 * session cookie. Only hashes are stored: a copy of the table signs nobody in. Each sign-in token
 * works once, so a token seen in a shell history or a proxy log cannot open a second session.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ChartroomError, ExitCode } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import { presignedUrlLifetimeMs } from '../token-format.js';
import type { Principal } from '../requests/types.js';

export interface DashboardSession {
  principal: Principal;
  /** The synchronizer token every form of this session must send back. */
  csrf: string;
  expiresAt: Date;
}

interface SessionRow {
  arn: string;
  canonical_arn: string;
  user_id: string;
  csrf: string;
  expires_at: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class DashboardSessions {
  private readonly store: Store;
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(options: { store: Store; ttlMs: number; now?: () => Date }) {
    this.store = options.store;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens a session for a verified principal; refuses a token that has signed in before. */
  async signIn(options: {
    principal: Principal;
    token: string;
  }): Promise<{ cookie: string; session: DashboardSession }> {
    const now = this.now();
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    // The token's hash must outlive the token, or it could sign in again after a purge: its date
    // may be up to 15 minutes ahead (clock skew) and it lasts 15 minutes from that date.
    const replayable = now.getTime() + 2 * presignedUrlLifetimeMs + 60_000;
    const keepUntil = new Date(Math.max(expiresAt.getTime(), replayable));
    const tokenHash = sha256(options.token);
    await this.store.transaction(async (tx) => {
      await tx.run(`DELETE FROM access_dashboard_sessions WHERE keep_until < $1`, [now.toISOString()]);
      const seen = await tx.get(`SELECT id FROM access_dashboard_sessions WHERE token_sha256 = $1`, [
        tokenHash,
      ]);
      if (seen !== undefined) throw tokenReused();
      await tx.run(
        `INSERT INTO access_dashboard_sessions (id, token_sha256, arn, canonical_arn, user_id, csrf, created_at, expires_at, keep_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          sha256(cookie),
          tokenHash,
          options.principal.arn,
          options.principal.canonicalArn,
          options.principal.userId,
          csrf,
          now.toISOString(),
          expiresAt.toISOString(),
          keepUntil.toISOString(),
        ],
      );
    });
    return { cookie, session: { principal: options.principal, csrf, expiresAt } };
  }

  /** The live session a cookie names, if any. */
  async find(cookie: string | undefined): Promise<DashboardSession | undefined> {
    if (cookie === undefined || cookie === '') return undefined;
    const row = await this.store.get<SessionRow>(
      `SELECT arn, canonical_arn, user_id, csrf, expires_at FROM access_dashboard_sessions WHERE id = $1 AND expires_at > $2`,
      [sha256(cookie), this.now().toISOString()],
    );
    if (row === undefined) return undefined;
    return {
      principal: { arn: row.arn, canonicalArn: row.canonical_arn, userId: row.user_id },
      csrf: row.csrf,
      expiresAt: new Date(row.expires_at),
    };
  }

  /** Ends a session now; the row stays until its token could no longer be replayed. */
  async signOut(cookie: string): Promise<void> {
    await this.store.run(`UPDATE access_dashboard_sessions SET expires_at = $1 WHERE id = $2`, [
      this.now().toISOString(),
      sha256(cookie),
    ]);
  }
}

function tokenReused(): ChartroomError {
  return new ChartroomError('this sign-in token has been used already', {
    code: 'access-dashboard-token-reused',
    exitCode: ExitCode.permission,
    hint: 'Make a new one; each token signs in once.',
  });
}
