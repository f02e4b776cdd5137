import { headerKey } from './message';

/** One header line after unfolding: the name as sent, its canonical lower-case long form, the value. */
export type RawHeader = { name: string; key: string; value: string };

export type SplitMessage = {
  startLine: string;
  headers: RawHeader[];
  body: string;
  /** Header lines that are not `name: value` (the first one is reported). */
  badLine?: string;
  /** No empty line after the headers. */
  unterminated: boolean;
};

/** Trims trailing SP/HT without a regex (a long run of spaces must stay linear). */
function trimEndWs(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(0, end);
}

/** RFC 3261 `token` characters (a header name), by char code. */
const TOKEN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~")
  TOKEN[c.charCodeAt(0)] = 1;

const isBlank = (code: number) => code === 32 || code === 9;

/**
 * Adds one unfolded `name: value` line (`token *WSP ":" *WSP value`); false when the line is not
 * one. Scanned by hand, not with a regular expression: this runs for every header line of every
 * message, and a regex match allocates a result array each time (the largest share of the relay's
 * garbage per call).
 */
function pushHeader(headers: RawHeader[], line: string): boolean {
  const n = line.length;
  let i = 0;
  while (i < n && TOKEN[line.charCodeAt(i)] === 1) i++;
  if (i === 0) return false;
  const name = line.slice(0, i);
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 58) return false; // ':'
  i++;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  headers.push({ name, key: headerKey(name), value: trimEndWs(line.slice(i)) });
  return true;
}

/**
 * Splits a message into start line, unfolded headers and body. Leading CRLFs
 * are skipped (RFC 3261 7.5); continuation lines (CRLF followed by SP/HT) join
 * the previous header with one space. Header names are not %-decoded:
 * `C%6Fntact` is an unknown header, not Contact (esc02).
 */
export function splitMessage(raw: string): SplitMessage {
  let start = 0;
  while (raw.startsWith('\r\n', start)) start += 2;
  const end = raw.indexOf('\r\n\r\n', start);
  const unterminated = end < 0;
  const head = unterminated ? raw.slice(start) : raw.slice(start, end);
  const body = unterminated ? '' : raw.slice(end + 4);
  const lines = head.split('\r\n');
  const startLine = lines[0] ?? '';
  const headers: RawHeader[] = [];
  let badLine: string | undefined;
  let current: string | undefined;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== undefined) {
      current += ` ${line.trimStart()}`;
    } else {
      if (current !== undefined && !pushHeader(headers, current) && badLine === undefined) badLine = current;
      current = line;
    }
  }
  if (current !== undefined && !pushHeader(headers, current) && badLine === undefined) badLine = current;
  return badLine === undefined
    ? { startLine, headers, body, unterminated }
    : { startLine, headers, body, unterminated, badLine };
}
