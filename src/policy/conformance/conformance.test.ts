import { describe, expect, it } from 'vitest';
import { anchorMappings } from '../anchors.js';
import { checkIds } from '../checks/index.js';
import { explainedDisagreements } from './disagreements.js';
import { allConformance, type ToolConformance } from './run.js';

const results: ToolConformance[] = allConformance();

describe("conformance with the anchors' fixture suites", () => {
  it.each(results.map((r) => [r.tool, r] as const))(
    '%s: every disagreement is explained',
    (_tool, result) => {
      const unexplained = result.compared.filter(
        (c) => !c.agree && explainedDisagreements[c.key] === undefined,
      );
      expect(unexplained.map((c) => `${c.key}: expected ${c.expected}, got ${c.actual}`)).toEqual([]);
    },
  );

  it('explains only cases that really disagree', () => {
    const disagreeing = new Set(results.flatMap((r) => r.compared.filter((c) => !c.agree).map((c) => c.key)));
    expect(Object.keys(explainedDisagreements).filter((key) => !disagreeing.has(key))).toEqual([]);
  });

  it('compares a large share of each suite', () => {
    const byTool = Object.fromEntries(results.map((r) => [r.tool, r.compared.length]));
    // kube-score: all 206 verdict cases; Polaris: 260 of 302 audit cases (the rest are custom
    // checks and Role-level RBAC rules); kube-linter: 54 of 67 runs (the rest are config-driven).
    expect(byTool).toEqual({ 'kube-score': 206, polaris: 260, 'kube-linter': 54 });
    for (const r of results) {
      const agree = r.compared.filter((c) => c.agree).length;
      expect(agree / r.compared.length).toBeGreaterThan(0.97);
    }
  });

  it('maps only to checks that exist', () => {
    const targets = anchorMappings.flatMap((m) => m.targets.map((t) => t.check));
    expect(targets.filter((id) => !checkIds.has(id))).toEqual([]);
  });
});
