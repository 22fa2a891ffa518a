/**
 * The typed model of a session description (RFC 8866 §5), mutable so that the peer connection
 * can build offers and answers from it. Every line of a parsed description lands in exactly one
 * field, in order, which is what makes `serialize(parse(text))` reproduce `text`.
 */

import type { Candidate } from './candidate.js';
import type { FmtpParameters } from './fmtp.js';

/** `o=` (RFC 8866 §5.2). Session id and version stay strings: they exceed 2^53 in practice. */
export interface Origin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** `c=` (RFC 8866 §5.7); `address` keeps any `/ttl/count` suffix. */
export interface Connection {
  netType: string;
  addrType: string;
  address: string;
}

/** `b=` (RFC 8866 §5.8): `AS`, `CT`, `TIAS` (RFC 3890), `RR`/`RS` (RFC 3556) or `X-`. */
export interface Bandwidth {
  type: string;
  value: number;
}

/** `t=` with its `r=` lines (RFC 8866 §5.9, §5.10); times stay text (NTP seconds, `1d` units). */
export interface Timing {
  start: string;
  stop: string;
  repeats: string[];
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** One entry of `a=simulcast` (RFC 8853 §5.1): a rid, possibly paused (`~`). */
export interface SimulcastRid {
  rid: string;
  paused: boolean;
}

/** One direction of `a=simulcast`: streams, each a list of alternative rids. */
export interface SimulcastDirection {
  direction: 'send' | 'recv';
  streams: SimulcastRid[][];
}

export interface RidRestriction {
  name: string;
  value: string | undefined;
}

/** Attributes without a value (property attributes, RFC 8866 §5.13). */
export type FlagAttributeName =
  | 'ice-lite'
  | 'extmap-allow-mixed'
  | 'rtcp-mux'
  | 'rtcp-mux-only'
  | 'rtcp-rsize'
  | 'end-of-candidates'
  | 'bundle-only'
  | Direction;

/**
 * Every attribute TypeRTC understands, discriminated by `name`, plus `UnknownAttribute` for the
 * rest (kept verbatim and in place).
 */
export type Attribute =
  | { name: FlagAttributeName }
  /** RFC 5888 §5, RFC 8843: `a=group:BUNDLE 0 1`. */
  | { name: 'group'; semantics: string; identifiers: string[] }
  /**
   * draft-ietf-mmusic-msid (WebRTC's `a=msid-semantic: WMS`); `spaceAfterColon` records the
   * space older Chrome writes after the colon.
   */
  | { name: 'msid-semantic'; semantics: string; identifiers: string[]; spaceAfterColon: boolean }
  /** RFC 8839 §5.4, §5.6. */
  | { name: 'ice-ufrag' | 'ice-pwd' | 'mid' | 'label'; value: string }
  | { name: 'ice-options' | 'content'; values: string[] }
  /** RFC 8122 §5: `a=fingerprint:sha-256 AB:CD:...`. */
  | { name: 'fingerprint'; algorithm: string; value: string }
  /** RFC 4145 §4, RFC 8842: `active`, `passive`, `actpass` or `holdconn`. */
  | { name: 'setup'; role: string }
  /** RFC 8285 §8: `a=extmap:1/sendonly urn:... attributes`. */
  | {
      name: 'extmap';
      id: number;
      direction: Direction | undefined;
      uri: string;
      extensionAttributes: string | undefined;
    }
  /** RFC 8830 §2: `a=msid:stream track`. */
  | { name: 'msid'; streamId: string; trackId: string | undefined }
  /** RFC 5576 §4.1: `a=ssrc:1234 cname:x`; `value` is everything after the first `:`. */
  | { name: 'ssrc'; ssrc: number; attribute: string; value: string | undefined }
  /** RFC 5576 §4.2: `a=ssrc-group:FID 1 2`. */
  | { name: 'ssrc-group'; semantics: string; ssrcs: number[] }
  /** RFC 8866 §6.6: `a=rtpmap:111 opus/48000/2`. */
  | {
      name: 'rtpmap';
      payloadType: number;
      encodingName: string;
      clockRate: number;
      channels: number | undefined;
    }
  /** RFC 8866 §6.15; `format` is the payload type (a token: not always a number). */
  | { name: 'fmtp'; format: string; parameters: FmtpParameters }
  /** RFC 4585 §4.2: `a=rtcp-fb:96 nack pli`, `a=rtcp-fb:* transport-cc`. */
  | { name: 'rtcp-fb'; payloadType: number | '*'; type: string; parameter: string | undefined }
  /** RFC 3605 §2.1: `a=rtcp:9 IN IP4 0.0.0.0`. */
  | { name: 'rtcp'; port: number; connection: Connection | undefined }
  /** RFC 3611 §5.1; kept as text. */
  | { name: 'rtcp-xr'; value: string }
  /** RFC 8839 §5.1. */
  | { name: 'candidate'; candidate: Candidate }
  /** RFC 8841 §5, §6; `sctpmap` is the legacy draft-ietf-mmusic-sctp-sdp-05 form. */
  | { name: 'sctp-port' | 'max-message-size' | 'ptime' | 'maxptime'; value: number }
  | { name: 'sctpmap'; port: number; protocol: string; streams: number | undefined }
  /** RFC 8851 §4: `a=rid:h send pt=96;max-width=1280`. */
  | {
      name: 'rid';
      id: string;
      direction: 'send' | 'recv';
      payloadTypes: string[] | undefined;
      restrictions: RidRestriction[];
    }
  /**
   * RFC 8853 §5.1: `a=simulcast:send h;~m,l recv x`. `draftSyntax` marks the earlier
   * draft-ietf-mmusic-sdp-simulcast form Firefox 55 to 65 wrote: `a=simulcast: send rid=h;l`.
   */
  | { name: 'simulcast'; directions: SimulcastDirection[]; draftSyntax: boolean }
  /** RFC 8866 §6.8 (kept as text: `30`, `29.97`). */
  | { name: 'framerate'; value: string }
  | UnknownAttribute;

/** An attribute TypeRTC does not model: name and raw value (undefined when there is no `:`). */
export interface UnknownAttribute {
  name: string;
  value: string | undefined;
  unknown: true;
}

export type KnownAttribute = Exclude<Attribute, UnknownAttribute>;
export type KnownAttributeName = KnownAttribute['name'];

/**
 * The attribute variant with the given name, its `name` narrowed (variants that share a shape,
 * like `mid` and `label`, share one member of the union).
 */
export type AttributeOf<N extends KnownAttributeName> = KnownAttribute extends infer A
  ? A extends { name: infer M }
    ? N extends M
      ? A & { name: N }
      : never
    : never
  : never;

/** `m=` and its section (RFC 8866 §5.14). */
export interface MediaDescription {
  /** `audio`, `video`, `application`, ... */
  kind: string;
  port: number;
  /** The `/<number of ports>` of `m=`, rare outside multicast. */
  portCount: number | undefined;
  /** `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, `DTLS/SCTP`, `RTP/AVP`, ... */
  protocol: string;
  /** Payload types (RTP) or other format tokens (`webrtc-datachannel`, SCTP port). */
  formats: string[];
  information: string | undefined;
  connections: Connection[];
  bandwidths: Bandwidth[];
  encryptionKey: string | undefined;
  attributes: Attribute[];
}

export interface SessionDescription {
  version: number;
  origin: Origin;
  sessionName: string;
  information: string | undefined;
  uri: string | undefined;
  emails: string[];
  phones: string[];
  connection: Connection | undefined;
  bandwidths: Bandwidth[];
  timing: Timing[];
  /** `z=` adjustments, kept as text. */
  timeZones: string | undefined;
  encryptionKey: string | undefined;
  attributes: Attribute[];
  media: MediaDescription[];
}
