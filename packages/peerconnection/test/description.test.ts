import { describe, expect, it } from 'vitest';
import {
  RTCIceCandidate,
  type RTCIceCandidateInit,
  RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from '../src/description.js';

const SRFLX =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154 generation 0 ufrag abcd network-cost 999';
const TCP_HOST =
  'candidate:1936595596 2 tcp 1518280447 192.0.2.10 443 typ host tcptype passive generation 0 network-id 1';

/** Every attribute §4.8.2 fills from the candidate string. */
function parsedFields(candidate: RTCIceCandidate) {
  return {
    foundation: candidate.foundation,
    component: candidate.component,
    priority: candidate.priority,
    address: candidate.address,
    protocol: candidate.protocol,
    port: candidate.port,
    type: candidate.type,
    tcpType: candidate.tcpType,
    relatedAddress: candidate.relatedAddress,
    relatedPort: candidate.relatedPort,
  };
}

const ALL_NULL = {
  foundation: null,
  component: null,
  priority: null,
  address: null,
  protocol: null,
  port: null,
  type: null,
  tcpType: null,
  relatedAddress: null,
  relatedPort: null,
};

describe('RTCSessionDescription', () => {
  it('keeps type and sdp, and serializes both', () => {
    const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    const description = new RTCSessionDescription({ type: 'offer', sdp });
    expect(description.type).toBe('offer');
    expect(description.sdp).toBe(sdp);
    expect(description.toJSON()).toEqual({ type: 'offer', sdp });
    expect(JSON.parse(JSON.stringify(description))).toEqual({ type: 'offer', sdp });
  });

  it('accepts every RTCSdpType and defaults sdp to the empty string', () => {
    for (const type of ['offer', 'pranswer', 'answer', 'rollback'] as const) {
      const description = new RTCSessionDescription({ type });
      expect(description.type).toBe(type);
      expect(description.sdp).toBe('');
      expect(description.toJSON()).toEqual({ type, sdp: '' });
    }
  });

  it('round-trips through toJSON', () => {
    const first = new RTCSessionDescription({ type: 'answer', sdp: 'v=0\r\n' });
    const second = new RTCSessionDescription(first.toJSON());
    expect(second.type).toBe('answer');
    expect(second.sdp).toBe('v=0\r\n');
  });

  it('throws TypeError for a missing or unknown type', () => {
    expect(() => new RTCSessionDescription({} as RTCSessionDescriptionInit)).toThrow(TypeError);
    expect(
      () => new RTCSessionDescription({ type: 'Offer' } as unknown as RTCSessionDescriptionInit),
    ).toThrow(TypeError);
    expect(
      () => new RTCSessionDescription({ type: 'bogus' } as unknown as RTCSessionDescriptionInit),
    ).toThrow(TypeError);
    expect(() => new RTCSessionDescription(null as unknown as RTCSessionDescriptionInit)).toThrow(
      TypeError,
    );
  });

  it('has readonly attributes', () => {
    const description = new RTCSessionDescription({ type: 'offer', sdp: 'x' });
    expect(() => {
      (description as unknown as { type: string }).type = 'answer';
    }).toThrow(TypeError);
    expect(description.type).toBe('offer');
  });
});

describe('RTCIceCandidate', () => {
  it('throws TypeError when sdpMid and sdpMLineIndex are both null (§4.8.2)', () => {
    expect(() => new RTCIceCandidate()).toThrow(TypeError);
    expect(() => new RTCIceCandidate({})).toThrow(TypeError);
    expect(() => new RTCIceCandidate({ candidate: SRFLX })).toThrow(TypeError);
    expect(() => new RTCIceCandidate({ sdpMid: null, sdpMLineIndex: null })).toThrow(TypeError);
  });

  it('accepts either sdpMid or sdpMLineIndex, including index 0', () => {
    const byMid = new RTCIceCandidate({ sdpMid: 'audio' });
    expect(byMid.sdpMid).toBe('audio');
    expect(byMid.sdpMLineIndex).toBeNull();
    expect(byMid.candidate).toBe('');
    expect(byMid.usernameFragment).toBeNull();
    const byIndex = new RTCIceCandidate({ sdpMLineIndex: 0 });
    expect(byIndex.sdpMid).toBeNull();
    expect(byIndex.sdpMLineIndex).toBe(0);
    expect(new RTCIceCandidate({ sdpMLineIndex: 65535 }).sdpMLineIndex).toBe(65535);
  });

  it('rejects an sdpMLineIndex outside unsigned short', () => {
    expect(() => new RTCIceCandidate({ sdpMLineIndex: -1 })).toThrow(TypeError);
    expect(() => new RTCIceCandidate({ sdpMLineIndex: 65536 })).toThrow(TypeError);
    expect(() => new RTCIceCandidate({ sdpMLineIndex: 0.5 })).toThrow(TypeError);
  });

  it('parses a server-reflexive UDP candidate', () => {
    const candidate = new RTCIceCandidate({
      candidate: SRFLX,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    });
    expect(candidate.candidate).toBe(SRFLX);
    expect(candidate.usernameFragment).toBe('abcd');
    expect(parsedFields(candidate)).toEqual({
      foundation: '842163049',
      component: 'rtp',
      priority: 1677729535,
      address: '203.0.113.7',
      protocol: 'udp',
      port: 46154,
      type: 'srflx',
      tcpType: null,
      relatedAddress: '10.0.0.2',
      relatedPort: 46154,
    });
  });

  it('parses a passive TCP host candidate for RTCP', () => {
    const candidate = new RTCIceCandidate({ candidate: TCP_HOST, sdpMid: 'video' });
    expect(parsedFields(candidate)).toEqual({
      foundation: '1936595596',
      component: 'rtcp',
      priority: 1518280447,
      address: '192.0.2.10',
      protocol: 'tcp',
      port: 443,
      type: 'host',
      tcpType: 'passive',
      relatedAddress: null,
      relatedPort: null,
    });
  });

  it('accepts the a= form of an SDP line and lower-cases the protocol', () => {
    const candidate = new RTCIceCandidate({
      candidate: 'a=candidate:1 1 UDP 2130706431 198.51.100.4 5000 typ relay raddr 0.0.0.0 rport 0',
      sdpMid: '0',
    });
    expect(candidate.protocol).toBe('udp');
    expect(candidate.type).toBe('relay');
    expect(candidate.address).toBe('198.51.100.4');
    expect(candidate.relatedAddress).toBe('0.0.0.0');
    expect(candidate.relatedPort).toBe(0);
  });

  it('leaves every parsed field null for an empty candidate (end of candidates)', () => {
    const candidate = new RTCIceCandidate({ candidate: '', sdpMid: '0' });
    expect(parsedFields(candidate)).toEqual(ALL_NULL);
  });

  it('does not throw for a string that does not parse; its fields are null', () => {
    for (const text of [
      '<arbitrary string[0] content>;',
      'candidate:1 1 udp 2130706431 198.51.100.4 5000', // no typ
      'candidate:1 1 udp 2130706431 198.51.100.4  5000 typ host', // two spaces
      'candidate:1 1 udp 99999999999 198.51.100.4 5000 typ host', // priority too large
      '1 1 udp 2130706431 198.51.100.4 5000 typ host', // no "candidate:"
    ]) {
      const candidate = new RTCIceCandidate({ candidate: text, sdpMid: '0' });
      expect(candidate.candidate).toBe(text);
      expect(parsedFields(candidate)).toEqual(ALL_NULL);
    }
  });

  it('leaves every field null when one is invalid for its attribute (§4.8.2 "abort")', () => {
    for (const text of [
      'candidate:1 3 udp 2130706431 198.51.100.4 5000 typ host', // component 3
      'candidate:1 1 sctp 2130706431 198.51.100.4 5000 typ host', // not udp or tcp
      'candidate:1 1 udp 2130706431 198.51.100.4 5000 typ relayed', // unknown type
    ]) {
      const candidate = new RTCIceCandidate({ candidate: text, sdpMLineIndex: 1 });
      expect(parsedFields(candidate)).toEqual(ALL_NULL);
    }
  });

  it('serializes the four RTCIceCandidateInit members and round-trips', () => {
    const init: RTCIceCandidateInit = {
      candidate: SRFLX,
      sdpMid: 'data',
      sdpMLineIndex: 2,
      usernameFragment: 'abcd',
    };
    const candidate = new RTCIceCandidate(init);
    expect(candidate.toJSON()).toEqual(init);
    const again = new RTCIceCandidate(JSON.parse(JSON.stringify(candidate)) as RTCIceCandidateInit);
    expect(again.toJSON()).toEqual(init);
    expect(parsedFields(again)).toEqual(parsedFields(candidate));
  });

  it('fills absent members with their defaults in toJSON', () => {
    expect(new RTCIceCandidate({ sdpMLineIndex: 0 }).toJSON()).toEqual({
      candidate: '',
      sdpMid: null,
      sdpMLineIndex: 0,
      usernameFragment: null,
    });
  });
});
