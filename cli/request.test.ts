import { describe, expect, it } from 'vitest';
import { CliError } from './errors';
import { EXIT } from './exit-codes';
import {
  apiUrl,
  assignFields,
  baseUrl,
  filterOption,
  filterQuery,
  optionKey,
  parseBodyFile,
  positiveInt,
  setValue,
} from './request';

const usage = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    return (error as Error).message;
  }
  throw new Error('no usage error');
};

describe('baseUrl and apiUrl', () => {
  it('takes the API URL with or without a trailing / or /v1', () => {
    expect(baseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(baseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(baseUrl('https://api.example/v1/')).toBe('https://api.example');
    expect(baseUrl('https://gw.example/prod/v1')).toBe('https://gw.example/prod');
  });

  it('refuses what is no http(s) URL, and credentials in it', () => {
    expect(usage(() => baseUrl('127.0.0.1:8080'))).toMatch(/http/);
    expect(usage(() => baseUrl('not a url'))).toMatch(/is not a URL/);
    expect(usage(() => baseUrl('https://u:p@api.example'))).toMatch(/user or password/);
  });

  it('appends the defined query values, a + as %2B', () => {
    expect(apiUrl('http://h', '/v1/routes', { target: '+82', provider_id: undefined, page_size: 5 })).toBe(
      'http://h/v1/routes?target=%2B82&page_size=5',
    );
    expect(apiUrl('http://h', '/v1/customers')).toBe('http://h/v1/customers');
  });
});

describe('--set and --file', () => {
  it('parses a value as JSON when it is JSON, else keeps the text', () => {
    expect(setValue('5060')).toBe(5060);
    expect(setValue('true')).toBe(true);
    expect(setValue('null')).toBeNull();
    expect(setValue('["a"]')).toEqual(['a']);
    expect(setValue('"123"')).toBe('123');
    expect(setValue('Acme Telecom')).toBe('Acme Telecom');
    expect(setValue('+82')).toBe('+82');
    expect(setValue('0011')).toBe('0011');
    expect(setValue('')).toBe('');
  });

  it('sets nested fields over the file, keeping the file untouched', () => {
    const file = { name: 'A', limits: { max_cps: 1 } };
    expect(assignFields(file, ['limits.max_concurrent_calls=10', 'name=B', 'detail=a=b'])).toEqual({
      name: 'B',
      detail: 'a=b',
      limits: { max_cps: 1, max_concurrent_calls: 10 },
    });
    expect(file).toEqual({ name: 'A', limits: { max_cps: 1 } });
    expect(assignFields({ limits: 5 }, ['limits.max_cps=1'])).toEqual({ limits: { max_cps: 1 } });
  });

  it('refuses an assignment without a field, and prototype names', () => {
    expect(usage(() => assignFields({}, ['name']))).toMatch(/field=value/);
    expect(usage(() => assignFields({}, ['=x']))).toMatch(/field=value/);
    expect(usage(() => assignFields({}, ['__proto__.polluted=1']))).toMatch(/not a field name/);
    expect(usage(() => assignFields({}, ['a..b=1']))).toMatch(/not a field name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes one JSON object from a file', () => {
    expect(parseBodyFile('c.json', '{"name":"A"}')).toEqual({ name: 'A' });
    expect(usage(() => parseBodyFile('c.json', '{'))).toMatch(/c\.json is not valid JSON/);
    expect(usage(() => parseBodyFile('c.json', '[]'))).toMatch(/one JSON object/);
  });
});

describe('filters and numbers', () => {
  it('offers a filter by its name without _id, with dashes', () => {
    expect(filterOption('customer_id')).toBe('customer');
    expect(filterOption('final_code')).toBe('final-code');
    expect(filterOption('answered_by')).toBe('answered-by');
    expect(optionKey('answered-by')).toBe('answeredBy');
    expect(
      filterQuery(['customer_id', 'target', 'provider_id'], { customer: 'c', target: '+82', other: 'x' }),
    ).toEqual({
      customer_id: 'c',
      target: '+82',
    });
  });

  it('takes whole numbers ≥ 1 for sizes', () => {
    expect(positiveInt('--page-size')('50')).toBe(50);
    expect(usage(() => positiveInt('--page-size')('0'))).toMatch(/--page-size/);
    expect(usage(() => positiveInt('--page-size')('1.5'))).toMatch(/whole number/);
  });
});
