/**
 * Kubernetes quantities ("500m", "1Gi") and IntOrString ("25%", 3) as numbers. No client library
 * here, so policy (which must start fast) imports this file directly instead of src/kube/index.ts,
 * which loads @kubernetes/client-node.
 */

const suffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a quantity; undefined when it is not one (so callers can report it as invalid). */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(
    value.trim(),
  );
  if (match === null) return undefined;
  const factor = suffixes[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

export type IntOrPercent = { kind: 'int'; value: number } | { kind: 'percent'; value: number };

export function parseIntOrPercent(value: unknown): IntOrPercent | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return { kind: 'int', value };
  if (typeof value !== 'string') return undefined;
  const percent = /^(\d+)%$/.exec(value.trim());
  if (percent !== null) return { kind: 'percent', value: Number(percent[1]) };
  if (/^\d+$/.test(value.trim())) return { kind: 'int', value: Number(value) };
  return undefined;
}

/**
 * Resolves an IntOrPercent against a total the way the Deployment controller does: surge rounds
 * up, unavailable rounds down (`roundUp`).
 */
export function scaled(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (value.kind === 'int') return value.value;
  const exact = (value.value * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** A CPU quantity in cores, for messages: "1", "0.5", "250m". */
export function formatCores(cores: number): string {
  if (cores >= 1 && Number.isInteger(cores)) return String(cores);
  if (cores >= 1) return cores.toFixed(2).replace(/0+$/, '');
  return `${Math.round(cores * 1000)}m`;
}
