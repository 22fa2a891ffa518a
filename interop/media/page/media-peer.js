// The Chromium side of the media interop tests: one RTCPeerConnection in a page served from
// http://localhost (getUserMedia needs a secure context), sending the fake camera and microphone
// (--use-fake-device-for-media-stream) and playing what it receives. Driven by the test process
// through `window.mediaPeer` (page.evaluate); reports back through `window.toNode`
// (page.exposeFunction). Plain browser JavaScript: Chromium runs it as is.

(() => {
  const report = (event) => window.toNode(event);

  /** Orders codecs of one mime type: the profile a plain server stack implements first. */
  const profileScore = (codec) => {
    const fmtp = codec.sdpFmtpLine ?? '';
    let score = 0;
    // H.264 constrained baseline in packetization mode 1 is what every peer has in common.
    if (/profile-level-id=42e0/i.test(fmtp)) score += 2;
    if (/packetization-mode=1/.test(fmtp)) score += 1;
    // VP9 profile 0 (8-bit 4:2:0) rather than profile 2.
    if (/profile-id=0/.test(fmtp)) score += 2;
    return score;
  };

  const mediaPeer = {
    pc: null,
    /** The getUserMedia stream, once asked for. */
    stream: null,
    /** Elements playing the remote tracks: Chromium decodes video without one, but pulls remote
     * audio out of its jitter buffer (totalSamplesReceived) only for a track something plays. */
    sinks: [],

    create(configuration) {
      const pc = new RTCPeerConnection(configuration);
      mediaPeer.pc = pc;
      pc.onicecandidate = ({ candidate }) =>
        report({ type: 'candidate', candidate: candidate === null ? null : candidate.toJSON() });
      pc.onconnectionstatechange = () =>
        report({ type: 'connectionstatechange', state: pc.connectionState });
      pc.ontrack = ({ track, transceiver, streams }) => {
        mediaPeer.play(track);
        report({
          type: 'track',
          kind: track.kind,
          trackId: track.id,
          mid: transceiver.mid,
          streamIds: streams.map((stream) => stream.id),
        });
      };
    },

    play(track) {
      const element = document.createElement(track.kind === 'video' ? 'video' : 'audio');
      element.muted = true;
      element.autoplay = true;
      element.srcObject = new MediaStream([track]);
      document.body.append(element);
      mediaPeer.sinks.push(element);
      element.play().catch((error) => report({ type: 'error', message: `play: ${error}` }));
    },

    /** The fake devices; returns what they gave, for the test to check. */
    async getUserMedia(constraints) {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      mediaPeer.stream = stream;
      return stream.getTracks().map((track) => {
        const settings = track.getSettings();
        return {
          kind: track.kind,
          label: track.label,
          width: settings.width ?? null,
          height: settings.height ?? null,
        };
      });
    },

    /** addTrack for each getUserMedia track: sendrecv, or reusing a transceiver an offer made. */
    addTracks() {
      for (const track of mediaPeer.stream.getTracks()) {
        mediaPeer.pc.addTrack(track, mediaPeer.stream);
      }
    },

    /** The camera on a sendonly transceiver with one encoding per rid (RFC 8853 simulcast). */
    addSimulcastVideo(encodings) {
      const [track] = mediaPeer.stream.getVideoTracks();
      mediaPeer.pc.addTransceiver(track, {
        direction: 'sendonly',
        streams: [mediaPeer.stream],
        sendEncodings: encodings,
      });
    },

    /**
     * Puts every video codec of `mimeType` first on every video transceiver, the rest (RTX,
     * RED, FEC, other codecs) after in Chromium's order. Returns the resulting order.
     */
    setCodecPreferences(mimeType) {
      const { codecs } = RTCRtpReceiver.getCapabilities('video');
      const matches = (codec) => codec.mimeType.toLowerCase() === mimeType.toLowerCase();
      const wanted = codecs.filter(matches).sort((a, b) => profileScore(b) - profileScore(a));
      if (wanted.length === 0) throw new Error(`Chromium has no ${mimeType}`);
      const ordered = [...wanted, ...codecs.filter((codec) => !matches(codec))];
      for (const transceiver of mediaPeer.pc.getTransceivers()) {
        if (transceiver.receiver.track.kind === 'video') transceiver.setCodecPreferences(ordered);
      }
      return ordered.map((codec) => `${codec.mimeType} ${codec.sdpFmtpLine ?? ''}`.trim());
    },

    // createOffer and createAnswer resolve with a plain dictionary (W3C §4.4.1.6), not an
    // RTCSessionDescription: there is no toJSON to call.
    async createOffer() {
      const { type, sdp } = await mediaPeer.pc.createOffer();
      return { type, sdp };
    },

    async createAnswer() {
      const { type, sdp } = await mediaPeer.pc.createAnswer();
      return { type, sdp };
    },

    async setLocalDescription(description) {
      await mediaPeer.pc.setLocalDescription(description);
      return mediaPeer.pc.localDescription.toJSON();
    },

    async setRemoteDescription(description) {
      await mediaPeer.pc.setRemoteDescription(description);
    },

    async addIceCandidate(candidate) {
      await mediaPeer.pc.addIceCandidate(candidate);
    },

    state() {
      const pc = mediaPeer.pc;
      return {
        signalingState: pc.signalingState,
        connectionState: pc.connectionState,
        iceConnectionState: pc.iceConnectionState,
      };
    },

    /** The numbers the tests look at, from getStats(): see MediaStats in chromium-media-peer.ts. */
    async stats() {
      const all = [...(await mediaPeer.pc.getStats()).values()];
      const byId = new Map(all.map((entry) => [entry.id, entry]));
      const mimeType = (entry) => byId.get(entry.codecId)?.mimeType ?? null;
      const of = (type, kind) => all.filter((entry) => entry.type === type && entry.kind === kind);
      return {
        inboundVideo: of('inbound-rtp', 'video').map((entry) => ({
          ssrc: entry.ssrc,
          mimeType: mimeType(entry),
          packetsReceived: entry.packetsReceived ?? 0,
          packetsLost: entry.packetsLost ?? 0,
          framesDecoded: entry.framesDecoded ?? 0,
          keyFramesDecoded: entry.keyFramesDecoded ?? 0,
          frameWidth: entry.frameWidth ?? 0,
          frameHeight: entry.frameHeight ?? 0,
          nackCount: entry.nackCount ?? 0,
          pliCount: entry.pliCount ?? 0,
          firCount: entry.firCount ?? 0,
          retransmittedPacketsReceived: entry.retransmittedPacketsReceived ?? 0,
        })),
        inboundAudio: of('inbound-rtp', 'audio').map((entry) => ({
          ssrc: entry.ssrc,
          mimeType: mimeType(entry),
          packetsReceived: entry.packetsReceived ?? 0,
          packetsLost: entry.packetsLost ?? 0,
          totalSamplesReceived: entry.totalSamplesReceived ?? 0,
        })),
        outboundVideo: of('outbound-rtp', 'video').map((entry) => ({
          ssrc: entry.ssrc,
          rid: entry.rid ?? null,
          mimeType: mimeType(entry),
          active: entry.active ?? true,
          packetsSent: entry.packetsSent ?? 0,
          framesEncoded: entry.framesEncoded ?? 0,
          keyFramesEncoded: entry.keyFramesEncoded ?? 0,
          frameWidth: entry.frameWidth ?? 0,
          pliCount: entry.pliCount ?? 0,
          firCount: entry.firCount ?? 0,
          nackCount: entry.nackCount ?? 0,
          retransmittedPacketsSent: entry.retransmittedPacketsSent ?? 0,
          qualityLimitationReason: entry.qualityLimitationReason ?? null,
        })),
        outboundAudio: of('outbound-rtp', 'audio').map((entry) => ({
          ssrc: entry.ssrc,
          mimeType: mimeType(entry),
          packetsSent: entry.packetsSent ?? 0,
        })),
      };
    },

    /** The whole getStats() report, for a failing assertion's message. */
    async rawStats() {
      return [...(await mediaPeer.pc.getStats()).values()];
    },

    close() {
      mediaPeer.pc?.close();
      for (const track of mediaPeer.stream?.getTracks() ?? []) track.stop();
      for (const element of mediaPeer.sinks) element.srcObject = null;
    },
  };

  window.mediaPeer = mediaPeer;
})();
