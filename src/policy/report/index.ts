/** Report formats for `policy check`: text for people, JSON, SARIF and JUnit for machines. */
import type { CheckDefinition, PolicyReport } from '../model.js';
import { junitReport } from './junit.js';
import { sarifReport } from './sarif.js';
import { textReport } from './text.js';

export const reportFormats = ['text', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface RenderOptions {
  checks: readonly CheckDefinition[];
  version: string;
  color?: (color: 'red' | 'yellow' | 'dim' | 'bold' | 'green', text: string) => string;
}

export function renderReport(report: PolicyReport, format: ReportFormat, options: RenderOptions): string {
  switch (format) {
    case 'text':
      return textReport(report, options.color ?? ((_c, t) => t));
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(sarifReport(report, options), null, 2) + '\n';
    case 'junit':
      return junitReport(report);
  }
}
