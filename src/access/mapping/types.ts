/** Identity mappings: which IAM principal becomes which Kubernetes user and groups. */

export interface RoleMapping {
  roleArn: string;
  username: string;
  groups: string[];
  /** Where it was written, for messages. */
  line: number;
}

export interface UserMapping {
  userArn: string;
  username: string;
  groups: string[];
  line: number;
}

export interface MappingConfig {
  roles: RoleMapping[];
  users: UserMapping[];
  /** Accounts whose every principal authenticates as its own ARN, with no groups. */
  accounts: string[];
  /** Things that load but deserve a look (e.g. a template Chartroom cannot render). */
  warnings: string[];
  source: string;
}

export const emptyMapping: MappingConfig = {
  roles: [],
  users: [],
  accounts: [],
  warnings: [],
  source: '(none)',
};

/** The Kubernetes user a token maps to, as sent in the TokenReview status. */
export interface MappedUser {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}
