/**
 * Splits a TCP/TLS byte stream (latin1 string chunks) into whole SIP
 * messages by Content-Length (RFC 3261 §18.3; absent means 0). CRLF
 * keep-alives between messages (RFC 5626) are skipped.
 *
 * @example
 * const feed = createStreamFramer((raw) => handle(raw), () => socket.destroy());
 * socket.on('data', (chunk) => feed(chunk.toString('latin1')));
 */
export function createStreamFramer(
  onMessage: (raw: string) => void,
  onOverflow: () => void,
  maxBytes = 65_536,
): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    while (true) {
      buffer = buffer.replace(/^(\r\n)+/, '');
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffer.length > maxBytes) {
          buffer = '';
          onOverflow();
        }
        return;
      }
      const head = buffer.slice(0, end);
      const length = /(?:^|\r\n)(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const bodyLength = length ? Number(length[1]) : 0;
      if (bodyLength > maxBytes) {
        buffer = '';
        onOverflow();
        return;
      }
      const total = end + 4 + bodyLength;
      if (buffer.length < total) return;
      const raw = buffer.slice(0, total);
      buffer = buffer.slice(total);
      onMessage(raw);
    }
  };
}
