/**
 * Acceptance: Falco's legacy k8s audit regression suite (66 cases), in its maintained form
 * (falcosecurity/testing): the current k8s_audit_rules.yaml, the overlays updated to today's list
 * names, the original trace files. Every case must give exactly the expected alerts per rule and
 * no other alert.
 */
import { describe, expect, it } from 'vitest';
import { falcoFixture, readFalcoFixtureJson } from '../testing/fixtures.js';
import type { ContextRules } from '../engine/runtime.js';
import { runTestCase } from './run.js';
import type { TestCase } from './spec.js';

interface GoTest {
  test: string;
  events_file: string;
  rules: { const: string; file?: string }[];
  expect: Record<string, number> | 'no alerts';
  expect_basis?: string;
  expect_stderr?: string;
}

const suite = readFalcoFixtureJson('legacy-suite', 'testing-k8saudit-expectations.json') as {
  tests: GoTest[];
};

/**
 * Two "no alerts" expectations come from the old YAML suite, not from the Go port (which asserts
 * only a clean exit for them). In the port, the self-contained old ruleset (engine v4) redefines
 * "Create Privileged Pod"/"Create HostNetwork Pod" with the lists `falco_privileged_images` and
 * `falco_hostnetwork_images`, while the updated overlay appends nginx to the *new* list names. Falco
 * therefore raises the alert with these files, and so must we; the old overlay's intent (trust
 * nginx in the lists these rules read) is checked separately below and gives no alert.
 */
const firesWithUpdatedOverlay: Record<string, Record<string, number>> = {
  TestK8SAudit_Legacy_CompatEngineV4CreatePrivilegedTrustedPod: { 'Create Privileged Pod': 1 },
  TestK8SAudit_Legacy_CompatEngineV4CreateHostnetworkTrustedPod: { 'Create HostNetwork Pod': 1 },
};

function rulesOf(test: GoTest): string[] {
  return test.rules.map((r) =>
    falcoFixture(r.file === undefined ? 'rules/k8s_audit_rules.yaml' : `legacy-suite/${r.file}`),
  );
}

function caseOf(test: GoTest): TestCase {
  return {
    name: test.test,
    rules: rulesOf(test),
    events: [falcoFixture('legacy-suite', test.events_file)],
    expect: firesWithUpdatedOverlay[test.test] ?? (test.expect === 'no alerts' ? {} : test.expect),
    otherRules: 'forbid',
    errors: test.expect_stderr === undefined ? [] : [test.expect_stderr],
    ruleMatching: 'first',
  };
}

describe("Falco's legacy k8s audit suite (current rules, updated overlays)", () => {
  const cache = {
    fileCache: new Map<string, Promise<string>>(),
    rulesCache: new Map<string, ContextRules>(),
  };

  it('has the 66 cases of the suite', () => {
    expect(suite.tests).toHaveLength(66);
    expect(
      Object.keys(firesWithUpdatedOverlay).every((name) =>
        suite.tests.some((t) => t.test === name && t.expect_basis?.includes('clean exit')),
      ),
    ).toBe(true);
  });

  for (const test of suite.tests) {
    it(test.test.replace('TestK8SAudit_Legacy_', ''), async () => {
      const outcome = await runTestCase(caseOf(test), cache);
      expect(outcome.problems).toEqual([]);
      expect(outcome.passed).toBe(true);
    });
  }

  it('trusts nginx in the engine-v4 rules when the overlay extends the lists those rules read', async () => {
    const trustOldLists = {
      name: 'trust-nginx-old-list-names.yaml',
      inline: [
        '- list: falco_privileged_images',
        '  items: [nginx]',
        '  override: {items: append}',
        '- list: falco_hostnetwork_images',
        '  items: [nginx]',
      ].join('\n'),
    };
    for (const name of Object.keys(firesWithUpdatedOverlay)) {
      const test = suite.tests.find((t) => t.test === name) as GoTest;
      const outcome = await runTestCase(
        { ...caseOf(test), rules: [...rulesOf(test), trustOldLists], expect: {} },
        cache,
      );
      expect(outcome.problems, name).toEqual([]);
    }
  });
});
