/**
 * The generated parts of docs/policy.md: every check with why and how to fix, the mapping to
 * kube-score/Polaris/kube-linter, and the measured agreement on their fixture suites. A test keeps
 * the document equal to this output; `npx tsx src/policy/reference.ts` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorMappings, type AnchorTool } from './anchors.js';
import { allChecks } from './checks/index.js';
import { explainedDisagreements } from './conformance/disagreements.js';
import { allConformance } from './conformance/run.js';
import type { CheckFamily } from './model.js';

const families: Record<CheckFamily, string> = {
  autoscaling: 'Autoscaling (HPA)',
  startup: 'Start-up',
  rollout: 'Rollouts',
  spot: 'Spot nodes and the cluster-autoscaler',
  resources: 'Resources',
  probes: 'Probes',
  images: 'Images',
  security: 'Security context',
  host: 'Host namespaces, ports and paths',
  availability: 'Availability (replicas and PDBs)',
  scheduling: 'Scheduling and spread',
  networking: 'Services, Ingresses and NetworkPolicies',
  api: 'API versions',
  rbac: 'RBAC',
  workloads: 'Workload shape',
  configuration: 'Configuration',
};

const tools: AnchorTool[] = ['kube-score', 'polaris', 'kube-linter'];
const toolName: Record<AnchorTool, string> = {
  'kube-score': 'kube-score',
  polaris: 'Polaris',
  'kube-linter': 'kube-linter',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function checksReference(): string {
  const out: string[] = [];
  for (const [family, title] of Object.entries(families)) {
    const checks = allChecks.filter((c) => c.family === family);
    if (checks.length === 0) continue;
    out.push(`### ${title}`, '');
    for (const check of checks) {
      const anchors = anchorMappings
        .filter((m) => m.targets.some((t) => t.check === check.id))
        .map((m) => `${toolName[m.tool]} \`${m.anchor}\``);
      out.push(`#### \`${check.id}\``, '');
      out.push(
        `${check.title}. Severity **${check.severity}**, ${check.optional === true ? 'optional (enable it in the config)' : 'on by default'}.${anchors.length > 0 ? ` Same as ${anchors.join(', ')}.` : ' None of the anchors checks this.'}`,
        '',
      );
      out.push(`- **Why:** ${check.why}`, `- **Fix:** ${check.fix}`, '');
    }
  }
  return out.join('\n');
}

export function mappingTable(): string {
  const out = [
    "| tool | their check | Chartroom check (options that make it ask the same) | difference in Chartroom's default |",
    '|---|---|---|---|',
  ];
  for (const tool of tools) {
    for (const m of anchorMappings.filter((x) => x.tool === tool)) {
      const targets = m.targets
        .map(
          (t) =>
            `\`${t.check}\`${t.options === undefined ? '' : ` ${cell(JSON.stringify(t.options))}`}${t.grade === undefined ? '' : ` → ${t.grade}`}`,
        )
        .join('<br>');
      out.push(`| ${toolName[tool]} | \`${m.anchor}\` | ${targets} | ${cell(m.note ?? '')} |`);
    }
  }
  return out.join('\n');
}

export function conformanceSummary(): string {
  const results = allConformance();
  const out = [
    '| tool | fixture cases compared | agree | disagree (all explained below) | cases of checks not mapped |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const agree = r.compared.filter((c) => c.agree).length;
    out.push(
      `| ${toolName[r.tool]} | ${r.compared.length} | ${agree} (${((100 * agree) / r.compared.length).toFixed(1)}%) | ${r.compared.length - agree} | ${r.unmapped.length} |`,
    );
  }
  out.push('', 'Every disagreement, and why Chartroom answers differently:', '');
  for (const r of results) {
    for (const c of r.compared.filter((x) => !x.agree)) {
      out.push(
        `- ${toolName[r.tool]} \`${c.anchor}\` on \`${c.file}\` (expected ${c.expected}, Chartroom ${c.actual}): ${explainedDisagreements[c.key] ?? 'UNEXPLAINED'}`,
      );
    }
  }
  out.push('', 'Anchor checks without a Chartroom counterpart (their fixture cases are not compared):', '');
  for (const r of results) {
    const anchors = [...new Set(r.unmapped.map((u) => u.anchor))].sort();
    out.push(
      `- ${toolName[r.tool]}: ${anchors.length === 0 ? 'none' : anchors.map((a) => `\`${a}\``).join(', ')}`,
    );
  }
  return out.join('\n');
}

export const docsPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/policy.md');

const sections: Record<string, () => string> = {
  checks: checksReference,
  mapping: mappingTable,
  conformance: conformanceSummary,
};

/** docs/policy.md with every generated section replaced by fresh output. */
export function regenerate(markdown: string): string {
  let text = markdown;
  for (const [name, render] of Object.entries(sections)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/policy.md has no generated:${name} section`);
    text = `${text.slice(0, start + open.length)}\n\n${render()}\n\n${text.slice(end)}`;
  }
  return text;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(docsPath, regenerate(readFileSync(docsPath, 'utf8')));
}
