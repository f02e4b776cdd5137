import { describe, expect, it } from 'vitest';
import { describeFailure, parseProblem, printable } from './problem';

describe('describeFailure', () => {
  it('shows the status, title and detail, then each field on its own line', () => {
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'the request body is invalid',
      errors: [
        { field: 'port', message: 'Too big: expected number to be <=65535' },
        { field: 'allowed_sources.0.cidr', message: 'Invalid input' },
      ],
    });
    expect(describeFailure(400, 'Bad Request', body)).toBe(
      '400 Bad Request: the request body is invalid\n' +
        '  port: Too big: expected number to be <=65535\n' +
        '  allowed_sources.0.cidr: Invalid input',
    );
  });

  it("names a rate deck's lines", () => {
    const body = JSON.stringify({
      title: 'Bad Request',
      status: 400,
      detail: '1 line(s) of the rate deck are invalid; nothing was imported',
      errors: [{ line: 3, field: 'rate', message: 'must be a decimal number' }],
    });
    expect(describeFailure(400, 'Bad Request', body)).toBe(
      '400 Bad Request: 1 line(s) of the rate deck are invalid; nothing was imported\n  line 3, rate: must be a decimal number',
    );
  });

  it('shows a conflict as the API words it', () => {
    const body =
      '{"type":"about:blank","title":"Conflict","status":409,"detail":"provider p is still referenced by 1 route"}';
    expect(describeFailure(409, 'Conflict', body)).toBe(
      '409 Conflict: provider p is still referenced by 1 route',
    );
  });

  it('shows an excerpt of a body that is no problem, and the status alone for none', () => {
    expect(describeFailure(502, 'Bad Gateway', '<html>\n<b>upstream</b>  down</html>')).toBe(
      '502 Bad Gateway: <html> <b>upstream</b> down</html>',
    );
    expect(describeFailure(503, 'Service Unavailable', '')).toBe('503 Service Unavailable');
    expect(describeFailure(401, 'Unauthorized', '{"error":"send Authorization: Bearer <relay token>"}')).toBe(
      '401 Unauthorized: send Authorization: Bearer <relay token>',
    );
    expect(describeFailure(500, 'x', 'y'.repeat(1000)).length).toBeLessThan(320);
  });

  it('never passes terminal escape sequences through', () => {
    const body = JSON.stringify({
      title: 'Bad Request',
      detail: 'bad \u001b[31mred',
      errors: [{ field: 'a\u0007', message: 'm' }],
    });
    const text = describeFailure(400, 'Bad Request', body);
    expect(text.includes('\u001b') || text.includes('\u0007')).toBe(false);
    expect(printable('a\u001b[2Jb')).toBe('a?[2Jb');
  });
});

describe('parseProblem', () => {
  it('reads a problem and ignores what is not one', () => {
    expect(parseProblem('{"title":"Not Found","status":404,"detail":"no such route"}')).toEqual({
      title: 'Not Found',
      status: 404,
      detail: 'no such route',
    });
    expect(parseProblem('[1]')).toBeUndefined();
    expect(parseProblem('{"status":500}')).toBeUndefined();
    expect(parseProblem('not json')).toBeUndefined();
  });
});
