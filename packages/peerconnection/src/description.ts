/**
 * `RTCSessionDescription` (W3C WebRTC 1.0 §4.8.1) and `RTCIceCandidate` (§4.8.2): the two
 * plain-data interfaces applications pass to and get from `RTCPeerConnection`, e.g. through a
 * signalling channel as JSON.
 */

import { type Candidate, parseCandidate } from '@typertc/sdp';

/** W3C WebRTC 1.0 §4.8.1.1 (RTCSdpType). */
export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback';

/** W3C WebRTC 1.0 §4.8.1 (RTCSessionDescriptionInit): `type` is a required member. */
export interface RTCSessionDescriptionInit {
  type: RTCSdpType;
  sdp?: string;
}

const SDP_TYPES: readonly string[] = ['offer', 'pranswer', 'answer', 'rollback'];

function isSdpType(value: unknown): value is RTCSdpType {
  return typeof value === 'string' && SDP_TYPES.includes(value);
}

/**
 * W3C WebRTC 1.0 §4.8.1. Immutable: the attributes are readonly in the IDL, so they are getters
 * over private fields rather than writable properties.
 */
export class RTCSessionDescription {
  readonly #type: RTCSdpType;
  readonly #sdp: string;

  constructor(descriptionInitDict: RTCSessionDescriptionInit) {
    // WebIDL dictionary conversion: a non-object is a TypeError, a missing required member too,
    // and an enum value outside RTCSdpType a TypeError as well (WebIDL §3.2.18).
    if (typeof descriptionInitDict !== 'object' || descriptionInitDict === null) {
      throw new TypeError(
        'RTCSessionDescription: the argument is not an RTCSessionDescriptionInit',
      );
    }
    const { type, sdp } = descriptionInitDict as { type?: unknown; sdp?: unknown };
    if (type === undefined) {
      throw new TypeError('RTCSessionDescription: the required member "type" is missing');
    }
    if (!isSdpType(type)) {
      throw new TypeError(
        `RTCSessionDescription: "${String(type).slice(0, 32)}" is not a valid RTCSdpType`,
      );
    }
    this.#type = type;
    // `DOMString sdp = ""` (§4.8.1): absent means empty; anything else is stringified (WebIDL).
    this.#sdp = sdp === undefined ? '' : String(sdp);
  }

  get type(): RTCSdpType {
    return this.#type;
  }

  get sdp(): string {
    return this.#sdp;
  }

  /** WebIDL default toJSON (§4.8.1): the attributes, as an RTCSessionDescriptionInit. */
  toJSON(): { type: RTCSdpType; sdp: string } {
    return { type: this.#type, sdp: this.#sdp };
  }
}

/** W3C WebRTC 1.0 §4.8.2 (RTCIceCandidateInit). */
export interface RTCIceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** W3C WebRTC 1.0 §4.8.2.1 (RTCIceProtocol). */
export type RTCIceProtocol = 'udp' | 'tcp';
/** W3C WebRTC 1.0 §4.8.2.2 (RTCIceTcpCandidateType), RFC 6544 §4.5. */
export type RTCIceTcpCandidateType = 'active' | 'passive' | 'so';
/** W3C WebRTC 1.0 §4.8.2.3 (RTCIceCandidateType), RFC 8445 §5.1.1. */
export type RTCIceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
/** W3C WebRTC 1.0 §5.6 (RTCIceComponent): component-id 1 is RTP, 2 is RTCP (RFC 8445 §5.1.1). */
export type RTCIceComponent = 'rtp' | 'rtcp';

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

/** The attributes §4.8.2 fills from the candidate-attribute grammar. */
interface ParsedFields {
  readonly foundation: string;
  readonly component: RTCIceComponent;
  readonly priority: number;
  readonly address: string;
  readonly protocol: RTCIceProtocol;
  readonly port: number;
  readonly type: RTCIceCandidateType;
  readonly tcpType: RTCIceTcpCandidateType | null;
  readonly relatedAddress: string | null;
  readonly relatedPort: number | null;
}

/**
 * W3C WebRTC 1.0 §4.8.2, constructor steps: parse `candidate` with the candidate-attribute
 * grammar (RFC 8839 §5.1); "if parsing failed, abort these steps", and "if any field in the parse
 * result represents an invalid value for the corresponding attribute, abort these steps" — so a
 * component other than 1 or 2, a transport other than UDP or TCP, or an unknown candidate type
 * leaves every parsed attribute null, not just that one. The grammar starts with `candidate:`;
 * the `a=` form of an SDP line is accepted too, as browsers do, but not the bare value.
 */
function parseFields(text: string): ParsedFields | undefined {
  if (!text.startsWith('candidate:') && !text.startsWith('a=candidate:')) return undefined;
  let parsed: Candidate;
  try {
    parsed = parseCandidate(text);
  } catch {
    return undefined;
  }
  const component = parsed.component === 1 ? 'rtp' : parsed.component === 2 ? 'rtcp' : undefined;
  // RFC 8839 §5.1: the transport token is case-insensitive; the enum values are lower case.
  const protocol = parsed.transport.toLowerCase();
  if (component === undefined || (protocol !== 'udp' && protocol !== 'tcp')) return undefined;
  const type = parsed.type.toLowerCase();
  if (!CANDIDATE_TYPES.includes(type)) return undefined;
  return {
    foundation: parsed.foundation,
    component,
    priority: parsed.priority,
    address: parsed.address,
    protocol,
    port: parsed.port,
    type: type as RTCIceCandidateType,
    tcpType: parsed.tcpType ?? null,
    relatedAddress: parsed.relatedAddress ?? null,
    relatedPort: parsed.relatedPort ?? null,
  };
}

/** WebIDL `unsigned short?`: null, or an integer 0..65535 (rejected rather than wrapped). */
function toSdpMLineIndex(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new TypeError(`RTCIceCandidate: sdpMLineIndex ${String(value)} is not 0..65535`);
  }
  return value;
}

function toNullableString(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/**
 * W3C WebRTC 1.0 §4.8.2. An empty `candidate` is the end-of-candidates indication (§4.8.2,
 * RFC 8838 §13); its parsed attributes are all null, as are those of a string that does not
 * parse: the constructor throws only for the sdpMid/sdpMLineIndex rule.
 */
export class RTCIceCandidate {
  readonly #candidate: string;
  readonly #sdpMid: string | null;
  readonly #sdpMLineIndex: number | null;
  readonly #usernameFragment: string | null;
  readonly #fields: ParsedFields | undefined;

  constructor(candidateInitDict: RTCIceCandidateInit = {}) {
    if (typeof candidateInitDict !== 'object' || candidateInitDict === null) {
      throw new TypeError('RTCIceCandidate: the argument is not an RTCIceCandidateInit');
    }
    const init = candidateInitDict as Record<string, unknown>;
    const sdpMid = toNullableString(init.sdpMid);
    const sdpMLineIndex = toSdpMLineIndex(init.sdpMLineIndex);
    // §4.8.2 constructor step 1: a candidate must say which media section it belongs to.
    if (sdpMid === null && sdpMLineIndex === null) {
      throw new TypeError('RTCIceCandidate: sdpMid and sdpMLineIndex are both null');
    }
    // `DOMString candidate = ""` (§4.8.2).
    this.#candidate = init.candidate === undefined ? '' : String(init.candidate);
    this.#sdpMid = sdpMid;
    this.#sdpMLineIndex = sdpMLineIndex;
    this.#usernameFragment = toNullableString(init.usernameFragment);
    this.#fields = this.#candidate === '' ? undefined : parseFields(this.#candidate);
  }

  get candidate(): string {
    return this.#candidate;
  }
  get sdpMid(): string | null {
    return this.#sdpMid;
  }
  get sdpMLineIndex(): number | null {
    return this.#sdpMLineIndex;
  }
  get usernameFragment(): string | null {
    return this.#usernameFragment;
  }
  get foundation(): string | null {
    return this.#fields?.foundation ?? null;
  }
  get component(): RTCIceComponent | null {
    return this.#fields?.component ?? null;
  }
  get priority(): number | null {
    return this.#fields?.priority ?? null;
  }
  get address(): string | null {
    return this.#fields?.address ?? null;
  }
  get protocol(): RTCIceProtocol | null {
    return this.#fields?.protocol ?? null;
  }
  get port(): number | null {
    return this.#fields?.port ?? null;
  }
  get type(): RTCIceCandidateType | null {
    return this.#fields?.type ?? null;
  }
  get tcpType(): RTCIceTcpCandidateType | null {
    return this.#fields?.tcpType ?? null;
  }
  get relatedAddress(): string | null {
    return this.#fields?.relatedAddress ?? null;
  }
  get relatedPort(): number | null {
    return this.#fields?.relatedPort ?? null;
  }

  /**
   * W3C WebRTC 1.0 §4.8.2: toJSON returns an RTCIceCandidateInit of `candidate`, `sdpMid`,
   * `sdpMLineIndex` and `usernameFragment`, so `new RTCIceCandidate(c.toJSON())` is `c` again.
   */
  toJSON(): RTCIceCandidateInit {
    return {
      candidate: this.#candidate,
      sdpMid: this.#sdpMid,
      sdpMLineIndex: this.#sdpMLineIndex,
      usernameFragment: this.#usernameFragment,
    };
  }
}
