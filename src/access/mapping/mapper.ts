/**
 * Turns a verified caller into a Kubernetes user: the static aws-auth style mapping first (roles,
 * users, then whole accounts), then Chartroom's own grants, which add their groups (and give an
 * otherwise unmapped caller EKS's default username: its ARN). Nothing matched means no access.
 *
 * A new mapping replaces the one in force only if it parses completely; a typo is reported with
 * its line and the last good mapping keeps working, so nobody is locked out by an edit.
 */
import { parseMapping, principalKey } from './aws-auth.js';
import { renderTemplate } from './template.js';
import { emptyMapping, type MappedUser, type MappingConfig } from './types.js';
import type { CallerIdentity } from '../verify/identity.js';

/** A grant in force for a caller: its group, bound to a role by the RBAC binding. */
export interface ActiveGrant {
  id: string;
  group: string;
  expiresAt: Date;
}

/** Looks up the grants in force for a caller at a given instant. */
export type GrantLookup = (identity: CallerIdentity, at: Date) => Promise<ActiveGrant[]>;

export interface IdentityMapperOptions {
  grants?: GrantLookup;
  now?: () => Date;
}

export class IdentityMapper {
  private config: MappingConfig = emptyMapping;
  private readonly grants: GrantLookup | undefined;
  private readonly now: () => Date;

  constructor(options: IdentityMapperOptions = {}) {
    this.grants = options.grants;
    this.now = options.now ?? (() => new Date());
  }

  get current(): MappingConfig {
    return this.config;
  }

  /** Parses and installs a mapping; throws MappingError and keeps the old one if it is bad. */
  load(text: string, source: string): MappingConfig {
    const parsed = parseMapping(text, source);
    this.config = parsed;
    return parsed;
  }

  async map(identity: CallerIdentity): Promise<MappedUser | undefined> {
    const key = principalKey(identity.canonicalArn);
    const entry =
      this.config.roles.find((role) => principalKey(role.roleArn) === key) ??
      this.config.users.find((user) => principalKey(user.userArn) === key);
    let username: string | undefined;
    let groups: string[] = [];
    if (entry !== undefined) {
      username = renderTemplate(entry.username, identity);
      const rendered = entry.groups.map((group) => renderTemplate(group, identity));
      // An entry we cannot render (EC2PrivateDNSName) denies rather than guessing a name.
      if (username === undefined || rendered.includes(undefined)) return undefined;
      groups = rendered as string[];
    } else if (this.config.accounts.includes(identity.accountId)) {
      username = identity.canonicalArn;
    }
    const grants = this.grants === undefined ? [] : await this.grants(identity, this.now());
    if (username === undefined && grants.length === 0) return undefined;
    // EKS access entries' default name: the caller's ARN (for a role, the assumed-role ARN with
    // the session), so audit logs say who it was.
    username ??= identity.arn;
    for (const grant of grants) if (!groups.includes(grant.group)) groups.push(grant.group);
    return {
      username,
      uid: `chartroom:${identity.accountId}:${identity.userId}`,
      groups,
      extra: {
        arn: [identity.arn],
        canonicalArn: [identity.canonicalArn],
        sessionName: [identity.sessionName],
        accessKeyId: [identity.accessKeyId],
        principalId: [identity.userId],
        ...(grants.length === 0 ? {} : { 'chartroom.dev/grants': grants.map((grant) => grant.id) }),
      },
    };
  }
}
