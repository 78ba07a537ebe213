import { describe, expect, it } from 'vitest';
import { labelSelectorMatches } from './selector.js';

const labels = { app: 'web', tier: 'front' };

describe('labelSelectorMatches', () => {
  it('matches everything with an empty selector and needs every matchLabels pair', () => {
    expect(labelSelectorMatches({}, labels)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
  });

  it('applies In, NotIn, Exists and DoesNotExist as the API server does', () => {
    const expr = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: 'tier', operator, ...(values === undefined ? {} : { values }) }],
    });
    expect(labelSelectorMatches(expr('In', ['front', 'mid']), labels)).toBe(true);
    expect(labelSelectorMatches(expr('In', ['back']), labels)).toBe(false);
    expect(labelSelectorMatches(expr('NotIn', ['back']), labels)).toBe(true);
    expect(labelSelectorMatches(expr('NotIn', ['front']), labels)).toBe(false);
    // NotIn holds for a pod without the label at all.
    expect(labelSelectorMatches(expr('NotIn', ['front']), { app: 'web' })).toBe(true);
    expect(labelSelectorMatches(expr('Exists'), labels)).toBe(true);
    expect(labelSelectorMatches(expr('DoesNotExist'), labels)).toBe(false);
    expect(labelSelectorMatches(expr('Gt', ['1']), labels)).toBe(false);
  });
});
