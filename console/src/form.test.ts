import { describe, expect, it } from 'vitest';
import { errorsByField, formBody, formValues } from './form';
import type { Field } from './resources';

const fields: Field[] = [
  { name: 'name', label: 'Name', type: 'text', required: true },
  { name: 'port', label: 'Port', type: 'number' },
  { name: 'enabled', label: 'Enabled', type: 'boolean', initial: true },
  { name: 'lcr', label: 'Least cost first', type: 'boolean' },
  { name: 'rate_plan_id', label: 'Rate plan', type: 'ref', path: 'rate-plans' },
  { name: 'allowed_sources', label: 'Sources', type: 'json' },
];

describe('formBody', () => {
  it('leaves empty fields to the API’s defaults, starts booleans at theirs, sends numbers as numbers and parses JSON', () => {
    const values = {
      ...formValues(fields),
      name: ' Acme ',
      port: '5070',
      allowed_sources: '[{"cidr":"192.0.2.1"}]',
    };
    expect(formBody(fields, values)).toEqual({
      body: { name: 'Acme', port: 5070, enabled: true, lcr: false, allowed_sources: [{ cidr: '192.0.2.1' }] },
      errors: {},
    });
  });

  it('sends only what changed on edit, a cleared reference as null, cleared text as empty, and a non-number as typed for the API to refuse', () => {
    const initial = formValues(fields, { name: 'Acme', port: 5060, enabled: true, rate_plan_id: 'p1' });
    const { body } = formBody(fields, { ...initial, name: ' ', port: '50x', rate_plan_id: '' }, initial);
    expect(body).toEqual({ name: '', port: '50x', rate_plan_id: null });
  });

  it('names a JSON field that does not parse instead of sending it', () => {
    expect(formBody(fields, { ...formValues(fields), allowed_sources: '[' }).errors).toEqual({
      allowed_sources: 'is not valid JSON',
    });
  });
});

describe('errorsByField', () => {
  it('places the API’s field errors at their form field, nested paths included, and keeps the rest apart', () => {
    expect(
      errorsByField(fields, [
        { field: 'name', message: 'Too small' },
        { field: 'allowed_sources.0.cidr', message: 'is not a CIDR' },
        { field: 'limits.max_cps', message: 'Too big' },
      ]),
    ).toEqual({
      at: { name: ['Too small'], allowed_sources: ['0.cidr: is not a CIDR'] },
      rest: ['limits.max_cps: Too big'],
    });
  });
});
