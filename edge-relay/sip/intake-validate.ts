import type { IntakeProblem } from './intake-reply';
import type { RawHeader, SplitMessage } from './intake-split';
import { memoByText } from './memo';
import {
  checkAddress,
  checkAddressList,
  checkCallId,
  checkDate,
  checkUri,
  checkVia,
  parseBoundedInt,
  parseCSeq,
  parseRequestLine,
  parseStatusLine,
  type RequestLine,
  type StatusLine,
} from './sip-grammar';

const required = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
const singleValued = [
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
  'date',
  'expires',
];

const REQUIRED_OR_SINGLE = new Set<string>([...required, ...singleValued]);

const displayName: Record<string, string> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'max-forwards': 'Max-Forwards',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  date: 'Date',
  expires: 'Expires',
  contact: 'Contact',
  route: 'Route',
  'record-route': 'Record-Route',
};

const bad = (reason: string, status = 400): IntakeProblem => ({ status, reason });
const titled = (problem: string) => problem.charAt(0).toUpperCase() + problem.slice(1);
const headerProblem = (key: string, problem: string) =>
  bad(`Bad ${displayName[key] ?? key} Header: ${titled(problem)}`);

export type ValidStart = { request: RequestLine } | { response: StatusLine };

/** The start line: request (strict spacing, SIP/2.0 else 505) or response (3-digit code). */
export function validateStartLine(startLine: string): ValidStart | IntakeProblem {
  if (startLine.startsWith('SIP/')) {
    const response = parseStatusLine(startLine);
    if (!response) return bad('Bad Status Line');
    if (response.version !== '2.0') return bad('Version Not Supported', 505);
    return { response };
  }
  const request = parseRequestLine(startLine);
  if (!request) return bad('Bad Request Line');
  if (request.version !== '2.0') return bad('Version Not Supported', 505);
  const uriProblem = checkUri(request.uri, true);
  if (uriProblem) return bad(`Bad Request-URI: ${titled(uriProblem)}`);
  return { request };
}

/** The check of one header value that depends on nothing else (method and body length aside). */
function checkValue(key: string, value: string): IntakeProblem | undefined {
  switch (key) {
    case 'via': {
      const p = checkVia(value);
      return p ? headerProblem('via', p) : undefined;
    }
    case 'from':
    case 'to': {
      const p = checkAddress(value);
      return p ? headerProblem(key, p) : undefined;
    }
    case 'contact': {
      const p = checkAddressList(value, false);
      return p ? headerProblem('contact', p) : undefined;
    }
    case 'route':
    case 'record-route': {
      const p = checkAddressList(value, true);
      return p ? headerProblem(key, p) : undefined;
    }
    case 'call-id': {
      const p = checkCallId(value);
      return p ? headerProblem('call-id', p) : undefined;
    }
    case 'max-forwards':
      return parseBoundedInt(value, 255, 3) === undefined ? headerProblem(key, 'not 0 to 255') : undefined;
    case 'expires':
      return parseBoundedInt(value, 2 ** 32 - 1) === undefined
        ? headerProblem(key, 'not a delta-seconds')
        : undefined;
    case 'date': {
      const p = checkDate(value);
      return p ? headerProblem('date', p) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * checkValue once per header and distinct value (memo.ts): the messages of one
 * call repeat most values (From, To, Call-ID, Contact, Route, Record-Route five
 * times and more), and many are the same for every call (Max-Forwards, our
 * Record-Route). A response's Vias are the ones its request carried (checked
 * when it came in).
 */
const checkers = new Map(
  ['via', 'from', 'to', 'contact', 'route', 'record-route', 'call-id', 'max-forwards', 'expires', 'date'].map(
    (key) => [key, memoByText((value) => checkValue(key, value))],
  ),
);
const cseqOf = memoByText(parseCSeq);
const lengthOf = memoByText((value) => parseBoundedInt(value, 2 ** 31));

function checkHeader(
  h: RawHeader,
  method: string | undefined,
  bodyLength: number,
): IntakeProblem | undefined {
  switch (h.key) {
    case 'cseq': {
      const cseq = cseqOf(h.value);
      if (typeof cseq === 'string') return headerProblem('cseq', cseq);
      if (method !== undefined && cseq.method !== method)
        return bad('CSeq Method Does Not Match Request Method');
      return undefined;
    }
    case 'content-length': {
      const length = lengthOf(h.value);
      if (length === undefined) return headerProblem(h.key, 'not a length');
      return length > bodyLength ? bad('Content-Length Larger Than Body') : undefined;
    }
    default:
      return checkers.get(h.key)?.(h.value);
  }
}

/**
 * The RFC 3261 checks beyond splitting the message: framing, required and
 * single-valued headers, and the grammar of the headers a proxy relies on.
 * Unknown headers are not checked (they pass unchanged). Max-Forwards may be
 * absent (RFC 2543 peers: inv2543); the proxy adds it.
 */
export function validateHeaders(split: SplitMessage, method: string | undefined): IntakeProblem | undefined {
  if (split.unterminated) return bad('Missing Empty Line After Headers');
  if (split.badLine !== undefined) return bad('Malformed Header Line');
  const counts = new Map<string, number>();
  for (const h of split.headers) {
    if (REQUIRED_OR_SINGLE.has(h.key)) counts.set(h.key, (counts.get(h.key) ?? 0) + 1);
  }
  const missing = required.filter((key) => !counts.has(key));
  if (missing.length > 0)
    return bad(
      `Missing ${missing.map((k) => displayName[k]).join(', ')} Header${missing.length > 1 ? 's' : ''}`,
    );
  for (const key of singleValued) {
    if ((counts.get(key) ?? 0) > 1) return bad(`Duplicate ${displayName[key]} Header`);
  }
  for (const h of split.headers) {
    const problem = checkHeader(h, method, split.body.length);
    if (problem) return problem;
  }
  return undefined;
}
