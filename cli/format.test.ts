import { describe, expect, it } from 'vitest';
import { at, cell, listTable, objectView, table } from './format';

describe('table', () => {
  it('aligns columns two spaces apart, without borders or trailing spaces', () => {
    expect(
      table(
        ['id', 'name'],
        [
          ['1', 'Acme'],
          ['22', 'B'],
        ],
      ),
    ).toBe('id  name\n1   Acme\n22  B');
  });

  it('aligns by display width (wide characters take two columns)', () => {
    const lines = table(
      ['name', 'x'],
      [
        ['東京', '1'],
        ['ab', '2'],
      ],
    ).split('\n');
    expect(lines[1]).toBe('東京  1');
    expect(lines[2]).toBe('ab    2');
  });
});

describe('cells', () => {
  it('reads dotted paths and shows none as -', () => {
    expect(at({ billing: { mode: 'prepaid' } }, 'billing.mode')).toBe('prepaid');
    expect(at({ billing: null }, 'billing.mode')).toBeUndefined();
    expect(cell(null)).toBe('-');
    expect(cell(undefined)).toBe('-');
    expect(cell('')).toBe('-');
    expect(cell(false)).toBe('false');
    expect(cell(['a', 'b'])).toBe('["a","b"]');
    expect(cell('two\nlines')).toBe('two lines');
  });

  it('lists items by their columns', () => {
    const items = [
      { id: 'r1', target: '+82', priority: 1, enabled: true },
      { id: 'r2', target: '+1', priority: 2, enabled: false },
    ];
    expect(listTable(items, ['id', 'target', 'priority', 'enabled'])).toBe(
      'id  target  priority  enabled\nr1  +82     1         true\nr2  +1      2         false',
    );
  });
});

describe('objectView', () => {
  it('shows each leaf by its dotted path and lists of objects as tables', () => {
    const view = objectView({
      id: 'c1',
      limits: { max_cps: 5, max_concurrent_calls: null },
      tags: ['a'],
      empty: {},
      attempts: [
        { code: 503, target_id: 'p1' },
        { code: 200, target_id: 'p2' },
      ],
    });
    expect(view).toBe(
      [
        'id                           c1',
        'limits.max_cps               5',
        'limits.max_concurrent_calls  -',
        'tags                         ["a"]',
        'empty                        {}',
        '',
        'attempts:',
        '  code  target_id',
        '  503   p1',
        '  200   p2',
      ].join('\n'),
    );
  });
});
