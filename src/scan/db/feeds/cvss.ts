/**
 * CVSS base scores from vector strings (FIRST's v3.x and v2 specifications), for feeds that
 * carry only the vector (OSV's `severity[].score`).
 */

function parseVector(vector: string): Map<string, string> {
  const metrics = new Map<string, string>();
  for (const part of vector
    .replace(/^CVSS:3\.[01]\//, '')
    .replace(/^\(|\)$/g, '')
    .split('/')) {
    const [key, value] = part.split(':');
    if (key !== undefined && value !== undefined) metrics.set(key, value);
  }
  return metrics;
}

function roundUp(value: number): number {
  const scaled = Math.round(value * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

export function cvss3BaseScore(vector: string): number | undefined {
  const m = parseVector(vector);
  const av = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }[m.get('AV') ?? ''];
  const ac = { L: 0.77, H: 0.44 }[m.get('AC') ?? ''];
  const changed = m.get('S') === 'C';
  const pr = changed
    ? { N: 0.85, L: 0.68, H: 0.5 }[m.get('PR') ?? '']
    : { N: 0.85, L: 0.62, H: 0.27 }[m.get('PR') ?? ''];
  const ui = { N: 0.85, R: 0.62 }[m.get('UI') ?? ''];
  const cia = (key: string): number | undefined => ({ H: 0.56, L: 0.22, N: 0 })[m.get(key) ?? ''];
  const c = cia('C');
  const i = cia('I');
  const a = cia('A');
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined || !m.has('S')) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return roundUp(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
}

export function cvss2BaseScore(vector: string): number | undefined {
  const m = parseVector(vector);
  const av = { L: 0.395, A: 0.646, N: 1.0 }[m.get('AV') ?? ''];
  const ac = { H: 0.35, M: 0.61, L: 0.71 }[m.get('AC') ?? ''];
  const au = { M: 0.45, S: 0.56, N: 0.704 }[m.get('Au') ?? ''];
  const cia = (key: string): number | undefined => ({ N: 0, P: 0.275, C: 0.66 })[m.get(key) ?? ''];
  const c = cia('C');
  const i = cia('I');
  const a = cia('A');
  if (av === undefined || ac === undefined || au === undefined) return undefined;
  if (c === undefined || i === undefined || a === undefined) return undefined;
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
}
