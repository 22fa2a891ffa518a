import { describe, expect, it } from 'vitest';
import { codecs } from '../src/codecs.js';
import { SdpParseError } from '../src/errors.js';
import { FmtpParameters } from '../src/fmtp.js';
import {
  bundleMids,
  extensionMap,
  findAttribute,
  findAttributes,
  fingerprints,
  headerExtensions,
  iceCredentials,
  iceOptions,
  isIceLite,
  mediaDirection,
  setMediaDirection,
  setupRole,
} from '../src/helpers.js';
import { parse } from '../src/parse.js';
import { serialize } from '../src/serialize.js';

/** A Chrome-style offer (shortened), to exercise every common line. */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream0',
  'a=fingerprint:sha-256 AA:BB:CC:DD',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 0',
  'c=IN IP4 0.0.0.0',
  'b=AS:64',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 network-id 1',
  'a=end-of-candidates',
  'a=ice-ufrag:Rt9X',
  'a=ice-pwd:2a3Fd4pPw6bMNQz0Q5xVZ7Mq',
  'a=ice-options:trickle',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=sendrecv',
  'a=msid:stream0 track0',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=ssrc:1001 cname:abc',
  'a=ssrc:1001 msid:stream0 track0',
  'a=x-unknown-thing:42 and more',
  'a=x-flag',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=fingerprint:sha-1 11:22',
  'a=fingerprint:sha-256 33:44',
  'a=setup:passive',
  'a=ice-ufrag:vid',
  'a=ice-pwd:videopassword0123456789',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:* nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=ssrc-group:FID 2001 2002',
  'a=rid:h send pt=96,97;max-width=1280;max-height=720',
  'a=rid:l send',
  'a=simulcast:send h;~l,m recv x',
  'a=framerate:29.97',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=mid:2',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

describe('parse', () => {
  const session = parse(OFFER);
  const [audio, video, data] = session.media;

  it('reads the session lines', () => {
    expect(session.version).toBe(0);
    expect(session.origin).toEqual({
      username: '-',
      sessionId: '4611731400430051336',
      sessionVersion: '2',
      netType: 'IN',
      addrType: 'IP4',
      address: '127.0.0.1',
    });
    expect(session.sessionName).toBe('-');
    expect(session.timing).toEqual([{ start: '0', stop: '0', repeats: [] }]);
    expect(bundleMids(session)).toEqual(['0', '1', '2']);
    expect(findAttribute(session.attributes, 'msid-semantic')).toEqual({
      name: 'msid-semantic',
      semantics: 'WMS',
      identifiers: ['stream0'],
      spaceAfterColon: true,
    });
    expect(session.media.map((m) => [m.kind, m.port, m.protocol, m.formats])).toEqual([
      ['audio', 9, 'UDP/TLS/RTP/SAVPF', ['111', '63', '0']],
      ['video', 9, 'UDP/TLS/RTP/SAVPF', ['96', '97']],
      ['application', 9, 'UDP/DTLS/SCTP', ['webrtc-datachannel']],
    ]);
  });

  it('reads media lines and typed attributes', () => {
    if (audio === undefined || video === undefined || data === undefined) throw new Error('media');
    expect(audio.connections).toEqual([{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }]);
    expect(audio.bandwidths).toEqual([{ type: 'AS', value: 64 }]);
    expect(findAttribute(audio.attributes, 'rtcp')).toEqual({
      name: 'rtcp',
      port: 9,
      connection: { netType: 'IN', addrType: 'IP4', address: '0.0.0.0' },
    });
    expect(findAttribute(audio.attributes, 'candidate')?.candidate).toMatchObject({
      foundation: '1467250027',
      component: 1,
      priority: 2122260223,
      address: '192.168.0.196',
      port: 46243,
      type: 'host',
      generation: 0,
      networkId: 1,
    });
    expect(findAttributes(audio.attributes, 'ssrc')).toEqual([
      { name: 'ssrc', ssrc: 1001, attribute: 'cname', value: 'abc' },
      { name: 'ssrc', ssrc: 1001, attribute: 'msid', value: 'stream0 track0' },
    ]);
    expect(audio.attributes.find((a) => a.name === 'x-unknown-thing')).toEqual({
      name: 'x-unknown-thing',
      value: '42 and more',
      unknown: true,
    });
    expect(audio.attributes.find((a) => a.name === 'x-flag')).toEqual({
      name: 'x-flag',
      value: undefined,
      unknown: true,
    });
    expect(findAttribute(video.attributes, 'ssrc-group')).toEqual({
      name: 'ssrc-group',
      semantics: 'FID',
      ssrcs: [2001, 2002],
    });
    expect(findAttribute(video.attributes, 'rid')).toEqual({
      name: 'rid',
      id: 'h',
      direction: 'send',
      payloadTypes: ['96', '97'],
      restrictions: [
        { name: 'max-width', value: '1280' },
        { name: 'max-height', value: '720' },
      ],
    });
    expect(findAttribute(video.attributes, 'simulcast')?.directions).toEqual([
      {
        direction: 'send',
        streams: [
          [{ rid: 'h', paused: false }],
          [
            { rid: 'l', paused: true },
            { rid: 'm', paused: false },
          ],
        ],
      },
      { direction: 'recv', streams: [[{ rid: 'x', paused: false }]] },
    ]);
    expect(findAttribute(video.attributes, 'simulcast')?.draftSyntax).toBe(false);
    expect(findAttribute(data.attributes, 'sctp-port')?.value).toBe(5000);
    expect(findAttribute(data.attributes, 'max-message-size')?.value).toBe(262144);
  });

  it('joins codecs per payload type, links RTX, and knows static payload types', () => {
    if (audio === undefined || video === undefined) throw new Error('media');
    const audioCodecs = codecs(audio);
    expect(audioCodecs.map((c) => [c.payloadType, c.name, c.clockRate, c.channels])).toEqual([
      [111, 'opus', 48000, 2],
      [63, 'red', 48000, 2],
      [0, 'PCMU', 8000, 1],
    ]);
    expect(audioCodecs[0]?.parameters.get('useinbandfec')).toBe('1');
    expect(audioCodecs[0]?.feedback).toEqual([{ type: 'transport-cc', parameter: undefined }]);
    const [vp8, rtx] = codecs(video);
    expect(vp8?.feedback).toEqual([
      { type: 'nack', parameter: undefined },
      { type: 'nack', parameter: 'pli' },
    ]);
    expect(vp8?.rtxPayloadType).toBe(97);
    expect(rtx?.associatedPayloadType).toBe(96);
    expect(rtx?.feedback).toEqual([{ type: 'nack', parameter: undefined }]);
  });

  it('falls back from media level to session level', () => {
    if (audio === undefined || video === undefined) throw new Error('media');
    expect(fingerprints(session, audio)).toEqual([{ algorithm: 'sha-256', value: 'AA:BB:CC:DD' }]);
    expect(fingerprints(session, video)).toEqual([
      { algorithm: 'sha-1', value: '11:22' },
      { algorithm: 'sha-256', value: '33:44' },
    ]);
    expect(setupRole(session, audio)).toBe('actpass');
    expect(setupRole(session, video)).toBe('passive');
    expect(iceCredentials(session, video)).toEqual({
      ufrag: 'vid',
      pwd: 'videopassword0123456789',
    });
    expect(iceOptions(session, audio)).toEqual(['trickle']);
    expect(iceOptions(session, video)).toEqual([]);
    expect(isIceLite(session)).toBe(false);
    expect(isIceLite(parse(OFFER.replace('a=extmap-allow-mixed', 'a=ice-lite')))).toBe(true);
    expect(mediaDirection(session, audio)).toBe('sendrecv');
    expect(mediaDirection(session, video)).toBe('recvonly');
    expect(headerExtensions(session, audio).map((e) => [e.id, e.direction])).toEqual([
      [1, undefined],
      [2, 'recvonly'],
    ]);
    expect([...extensionMap(session, video)]).toEqual([[1, 'urn:ietf:params:rtp-hdrext:sdes:mid']]);
  });

  it('round-trips exactly, and from LF input produces CRLF', () => {
    expect(serialize(parse(OFFER))).toBe(OFFER);
    expect(serialize(parse(OFFER.replaceAll('\r\n', '\n')))).toBe(OFFER);
    expect(serialize(parse(OFFER.slice(0, -2)))).toBe(OFFER); // no final line break
  });

  it('is mutable: the peer connection builds descriptions from it', () => {
    const copy = parse(OFFER);
    const video2 = copy.media[1];
    if (video2 === undefined) throw new Error('media');
    setMediaDirection(video2, 'inactive');
    const fmtp = findAttribute(video2.attributes, 'fmtp');
    fmtp?.parameters.set('x-google-start-bitrate', '1000');
    const text = serialize(copy);
    expect(text).toContain('\r\na=inactive\r\n');
    expect(text).not.toContain('a=recvonly');
    expect(text).toContain('a=fmtp:97 apt=96;x-google-start-bitrate=1000\r\n');
  });
});

describe('every RFC 8866 line type and the rarer attributes', () => {
  const FULL = [
    'v=0',
    'o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5',
    's=SDP Seminar',
    'i=A Seminar on the session description protocol',
    'u=http://www.example.com/seminars/sdp.pdf',
    'e=j.doe@example.com (Jane Doe)',
    'p=+1 617 555-6011',
    'c=IN IP4 224.2.17.12/127',
    'b=CT:1000',
    't=2873397496 2873404696',
    'r=7d 1h 0 25h',
    't=0 0',
    'z=2882844526 -1h 2898848070 0',
    'k=prompt',
    'a=ice-options:trickle ice2',
    'a=recvonly',
    'm=audio 49170/2 RTP/AVP 0 101',
    'i=main audio',
    'c=IN IP4 224.2.17.12/127',
    'c=IN IP4 224.2.17.13/127',
    'b=TIAS:64000',
    'b=AS:80',
    'k=prompt',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=maxptime:40',
    'a=content:main slides',
    'a=label:1',
    'a=rtcp-mux-only',
    'a=rtcp-mux',
    'a=ssrc-group:FEC-FR 1 2',
    'a=ssrc-group:SIM 3 4 5',
    'a=bundle-only',
    'a=sctpmap:5000 webrtc-datachannel 1024',
    'a=sendonly',
    'm=video 0 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    'a=fmtp:96 profile-level-id=42e01f; packetization-mode=1',
    'a=inactive',
    '',
  ].join('\r\n');

  it('round-trips and types each line', () => {
    expect(serialize(parse(FULL))).toBe(FULL);
    const description = parse(FULL);
    expect(description.information).toBe('A Seminar on the session description protocol');
    expect(description.uri).toBe('http://www.example.com/seminars/sdp.pdf');
    expect(description.emails).toEqual(['j.doe@example.com (Jane Doe)']);
    expect(description.phones).toEqual(['+1 617 555-6011']);
    expect(description.connection?.address).toBe('224.2.17.12/127');
    expect(description.bandwidths).toEqual([{ type: 'CT', value: 1000 }]);
    expect(description.timing).toEqual([
      { start: '2873397496', stop: '2873404696', repeats: ['7d 1h 0 25h'] },
      { start: '0', stop: '0', repeats: [] },
    ]);
    expect(description.timeZones).toBe('2882844526 -1h 2898848070 0');
    expect(description.encryptionKey).toBe('prompt');
    const [audio, video] = description.media;
    if (audio === undefined || video === undefined) throw new Error('media');
    expect(audio.portCount).toBe(2);
    expect(audio.connections).toHaveLength(2);
    expect(audio.bandwidths).toEqual([
      { type: 'TIAS', value: 64000 },
      { type: 'AS', value: 80 },
    ]);
    expect(findAttribute(audio.attributes, 'ptime')?.value).toBe(20);
    expect(findAttribute(audio.attributes, 'maxptime')?.value).toBe(40);
    expect(findAttribute(audio.attributes, 'content')?.values).toEqual(['main', 'slides']);
    expect(findAttribute(audio.attributes, 'sctpmap')).toEqual({
      name: 'sctpmap',
      port: 5000,
      protocol: 'webrtc-datachannel',
      streams: 1024,
    });
    expect(mediaDirection(description, audio)).toBe('sendonly');
    expect(codecs(audio).map((c) => c.name)).toEqual(['PCMU', 'telephone-event']);
    expect(codecs(video)[0]?.parameters.get('packetization-mode')).toBe('1');
  });
});

describe('FmtpParameters', () => {
  it('keeps the text until changed, then formats canonically', () => {
    const parameters = FmtpParameters.parse('useinbandfec=1; maxplaybackrate=48000');
    expect(parameters.get('maxplaybackrate')).toBe('48000');
    expect(parameters.toString()).toBe('useinbandfec=1; maxplaybackrate=48000');
    parameters.delete('useinbandfec');
    expect(parameters.toString()).toBe('maxplaybackrate=48000');
    const events = FmtpParameters.parse('0-16');
    expect(events.has('0-16')).toBe(true);
    expect(events.get('0-16')).toBeUndefined();
    expect(
      FmtpParameters.from([
        ['a', '1'],
        ['b', undefined],
      ]).toString(),
    ).toBe('a=1;b');
  });
});

describe('parse errors', () => {
  const cases: [string, string, number][] = [
    ['not starting with v=', 'o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\ns=-\r\n', 1],
    ['bad version', 'v=1\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n', 1],
    ['missing o=', 'v=0\r\ns=-\r\nt=0 0\r\n', 2],
    ['short origin', 'v=0\r\no=- 1 IN IP4 0.0.0.0\r\ns=-\r\n', 2],
    ['no type', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nhello\r\n', 4],
    ['unknown line type', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nx=1\r\n', 4],
    ['t= after a=', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\na=ice-lite\r\nt=0 0\r\n', 5],
    ['two s=', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ns=-\r\n', 4],
    [
      'c= after a= in media',
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=rtcp-mux\r\nc=IN IP4 0.0.0.0\r\n',
      6,
    ],
    ['bad port', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n', 4],
    [
      'bad rtpmap',
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:x opus/48000\r\n',
      5,
    ],
    ['flag with value', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\na=rtcp-mux:1\r\n', 4],
    [
      'bad candidate',
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp\r\n',
      5,
    ],
    ['bad bandwidth', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nb=AS\r\n', 4],
    ['NUL in line', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=\0\r\n', 3],
    ['empty line', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n\r\ns=-\r\n', 3],
    ['bad simulcast', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\na=simulcast:sideways a\r\n', 4],
    ['bad rid direction', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\na=rid:a both\r\n', 4],
  ];

  for (const [what, text, line] of cases) {
    it(`rejects ${what} with SdpParseError at line ${line}`, () => {
      let error: unknown;
      try {
        parse(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SdpParseError);
      expect((error as SdpParseError).line).toBe(line);
      expect((error as SdpParseError).text).toBe(text.split('\r\n')[line - 1]);
    });
  }

  it('rejects empty input', () => {
    expect(() => parse('')).toThrow(SdpParseError);
  });

  it('reports the character offset of the bad line', () => {
    const text = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nbad\r\n';
    expect(() => parse(text)).toThrow(expect.objectContaining({ offset: text.indexOf('bad') }));
  });
});
