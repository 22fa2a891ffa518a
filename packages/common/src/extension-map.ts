/**
 * RTP header extension ids and the URIs they were negotiated for (RFC 8285 §5, SDP `a=extmap`).
 * Lives here because two packages that know nothing of each other share it: `@typertc/sdp`
 * produces one from a media section, `@typertc/rtp-rtcp` reads and writes extensions by it.
 */
export type ExtensionMap = ReadonlyMap<number, string>;
