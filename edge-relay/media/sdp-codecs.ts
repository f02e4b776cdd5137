/** The codecs of one SDP body, by encoding name in first-seen order. */
export type OfferedCodecs = readonly string[];

/** Payload types with a static meaning (RFC 3551) that SDP may list without an rtpmap. */
const STATIC_PAYLOAD_TYPES: Record<string, string> = {
  '0': 'PCMU',
  '3': 'GSM',
  '4': 'G723',
  '8': 'PCMA',
  '9': 'G722',
  '13': 'CN',
  '18': 'G729',
};

/**
 * Lists the codec names offered in the audio sections of an SDP body, from
 * `a=rtpmap` lines and static payload types of `m=audio` lines. Names keep
 * their SDP spelling; duplicates (same codec at two rates) appear once.
 *
 * @example
 * sdpAudioCodecs('v=0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n');
 * // ['PCMU', 'telephone-event']
 */
export function sdpAudioCodecs(sdp: string): OfferedCodecs {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  };
  let inAudio = false;
  let payloadTypes: string[] = [];
  const flush = (rtpmap: Map<string, string>) => {
    for (const pt of payloadTypes) {
      const name = rtpmap.get(pt) ?? STATIC_PAYLOAD_TYPES[pt];
      if (name) add(name);
    }
  };
  let rtpmap = new Map<string, string>();
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      if (inAudio) flush(rtpmap);
      const [media, , , ...formats] = line.slice(2).trim().split(/\s+/);
      inAudio = media === 'audio';
      payloadTypes = inAudio ? formats : [];
      rtpmap = new Map();
    } else if (inAudio && line.startsWith('a=rtpmap:')) {
      const match = /^a=rtpmap:(\d+)\s+([^/\s]+)/.exec(line);
      if (match) rtpmap.set(match[1]!, match[2]!);
    }
  }
  if (inAudio) flush(rtpmap);
  return names;
}

/** Case-insensitive membership, as rtpengine matches codec names. */
export function hasCodec(codecs: readonly string[], name: string): boolean {
  const wanted = name.toLowerCase();
  return codecs.some((c) => c.toLowerCase() === wanted);
}
