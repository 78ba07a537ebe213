/**
 * Events per second of Chartroom's rules engine with Falco's full k8s_audit_rules.yaml (48 rules,
 * first-match, Falco's default) over a replayed audit log of 1M events (bench/runtime-corpus.ts),
 * next to JSON.parse alone over the same lines — the floor any JSON intake pays. Chartroom's
 * number includes everything from the JSON line to the alert: JSON.parse, the payload checks,
 * the event time, the rules, and building each alert (output text and fields).
 *
 * The log is generated in chunks in memory (no disk I/O in either measurement); for each chunk
 * JSON.parse and the engine run one after the other, so both see the same machine load.
 *
 *   taskset -c 1 npx tsx bench/runtime.ts [--events 1000000] [--chunk 50000] [--seed 42]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, parseAuditPayload, type Alert } from '../src/runtime/index.js';
import { AuditCorpus } from './runtime-corpus.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const fixtures = resolve(root, '../shared/fixtures/falco');
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const total = option('--events', 1_000_000);
const chunkSize = option('--chunk', 50_000);

const runtime = await Runtime.fromFiles([resolve(fixtures, 'rules/k8s_audit_rules.yaml')], {
  hostname: 'bench',
});
const corpus = new AuditCorpus({
  seed: option('--seed', 42),
  traces: resolve(fixtures, 'legacy-suite/trace_files/k8s_audit'),
});

let parseSeconds = 0;
let engineSeconds = 0;
let bytes = 0;
let alerts = 0;
let errors = 0;
let sink = 0;
const counts: Record<string, number> = {};

function parseOnly(lines: readonly string[]): void {
  const started = performance.now();
  for (const line of lines) {
    const value = JSON.parse(line) as { kind?: unknown };
    if (value.kind === 'Event') sink++;
  }
  parseSeconds += (performance.now() - started) / 1000;
}

function engine(lines: readonly string[]): void {
  const found: Alert[] = [];
  const started = performance.now();
  for (const line of lines) {
    for (const parsed of parseAuditPayload(line)) {
      if ('error' in parsed) {
        errors++;
        continue;
      }
      for (const alert of runtime.process(parsed.event)) found.push(alert);
    }
  }
  engineSeconds += (performance.now() - started) / 1000;
  alerts += found.length;
  for (const alert of found) counts[alert.rule] = (counts[alert.rule] ?? 0) + 1;
}

// Warm up both paths (JIT) on a separate small corpus, not counted.
const warm = new AuditCorpus({ seed: 7, traces: resolve(fixtures, 'legacy-suite/trace_files/k8s_audit') });
const warmLines = Array.from({ length: 20_000 }, () => warm.next());
parseOnly(warmLines);
engine(warmLines);
[parseSeconds, engineSeconds, alerts, errors] = [0, 0, 0, 0];
for (const key of Object.keys(counts)) Reflect.deleteProperty(counts, key);

for (let done = 0; done < total; done += chunkSize) {
  const lines = Array.from({ length: Math.min(chunkSize, total - done) }, () => corpus.next());
  for (const line of lines) bytes += line.length;
  // Alternate the order per chunk, so neither side always runs on a cold cache.
  if ((done / chunkSize) % 2 === 0) {
    parseOnly(lines);
    engine(lines);
  } else {
    engine(lines);
    parseOnly(lines);
  }
}

const parseRate = total / parseSeconds;
const engineRate = total / engineSeconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `events: ${fmt(total)} (${(bytes / 1e6).toFixed(0)} MB of JSON, ${Math.round(bytes / total)} bytes/event), unusable: ${errors}`,
);
console.log(
  `JSON.parse only:     ${parseSeconds.toFixed(2)} s  ${fmt(parseRate)} events/s  ${(bytes / 1e6 / parseSeconds).toFixed(0)} MB/s`,
);
console.log(
  `chartroom (48 rules): ${engineSeconds.toFixed(2)} s  ${fmt(engineRate)} events/s  ${(bytes / 1e6 / engineSeconds).toFixed(0)} MB/s`,
);
console.log(`ratio chartroom / JSON.parse: ${(engineRate / parseRate).toFixed(2)}`);
console.log(
  `alerts: ${fmt(alerts)} from ${Object.keys(counts).length} rules; index fields: ${runtime.engine.indexFields('k8s_audit').join(', ')}`,
);
for (const [rule, count] of Object.entries(counts)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 12))
  console.log(`  ${String(count).padStart(8)}  ${rule}`);
if (sink < 0) console.log(sink); // keeps the JSON.parse loop from being optimised away
