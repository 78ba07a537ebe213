/**
 * Gating as clair-scanner does it: a finding is approved when it is strictly less severe than the
 * threshold, or whitelisted (general, then per image); everything else is unapproved and fails the
 * build (exit 1). Ignore-file rules that have not expired approve too.
 */
import type { Finding } from '../match/matcher.js';
import { severityRank, type Severity } from '../severity.js';
import { isExpired, type IgnoreRule } from './ignore.js';
import { whitelisted, type Whitelist } from './whitelist.js';

export type Approval = 'below-threshold' | 'whitelisted' | 'ignored';

export interface GatedFinding extends Finding {
  approved: boolean;
  approval?: Approval;
  /** Why: which whitelist or ignore rule. */
  approvalNote?: string;
}

export interface GateOptions {
  threshold: Severity;
  whitelist?: Whitelist;
  ignoreRules?: readonly IgnoreRule[];
  now: Date;
}

export interface GateResult {
  findings: GatedFinding[];
  /** One entry per unapproved (package, vulnerability), as clair-scanner lists them. */
  unapproved: string[];
  expiredRules: IgnoreRule[];
}

function ruleMatches(rule: IgnoreRule, finding: Finding, imageName: string): boolean {
  if (rule.id !== finding.vulnerabilityId) return false;
  if (rule.package !== undefined && rule.package !== finding.pkgName && rule.package !== finding.srcName)
    return false;
  if (rule.image !== undefined && !imageName.startsWith(rule.image)) return false;
  return true;
}

export function gate(findings: readonly Finding[], imageName: string, options: GateOptions): GateResult {
  const active = (options.ignoreRules ?? []).filter((rule) => !isExpired(rule, options.now));
  const expiredRules = (options.ignoreRules ?? []).filter((rule) => isExpired(rule, options.now));
  const gated = findings.map((finding): GatedFinding => {
    const rule = active.find((candidate) => ruleMatches(candidate, finding, imageName));
    if (rule !== undefined) {
      return { ...finding, approved: true, approval: 'ignored', approvalNote: rule.reason ?? rule.origin };
    }
    if (severityRank(finding.severity) < severityRank(options.threshold)) {
      return { ...finding, approved: true, approval: 'below-threshold' };
    }
    const listed =
      options.whitelist === undefined
        ? undefined
        : whitelisted(options.whitelist, imageName, finding.vulnerabilityId);
    if (listed !== undefined)
      return { ...finding, approved: true, approval: 'whitelisted', approvalNote: listed };
    return { ...finding, approved: false };
  });
  return {
    findings: gated,
    unapproved: gated.filter((finding) => !finding.approved).map((finding) => finding.vulnerabilityId),
    expiredRules,
  };
}
