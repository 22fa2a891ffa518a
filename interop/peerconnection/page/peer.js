// The Chromium side of the peer connection interop tests: one RTCPeerConnection in a page,
// driven by the test process through `window.peer` (page.evaluate) and reporting back through
// `window.toNode` (page.exposeFunction). Plain browser JavaScript: Chromium runs it as is.
//
// Channels are named by label. A channel whose label starts with "echo" sends every message
// back as it came; every other channel only counts what it receives.

(() => {
  const report = (event) => window.toNode(event);

  const peer = {
    pc: null,
    channels: new Map(),
    received: new Map(),
    /** The W3C perfect negotiation pattern's state, when `perfectNegotiation` is on. */
    negotiation: null,

    create(configuration) {
      const pc = new RTCPeerConnection(configuration);
      peer.pc = pc;
      pc.onicecandidate = ({ candidate }) =>
        report({ type: 'candidate', candidate: candidate === null ? null : candidate.toJSON() });
      pc.onnegotiationneeded = () => {
        if (peer.negotiation !== null) void peer.offerPerfectly();
        else report({ type: 'negotiationneeded' });
      };
      pc.onconnectionstatechange = () =>
        report({ type: 'connectionstatechange', state: pc.connectionState });
      pc.ondatachannel = ({ channel }) => {
        peer.adopt(channel);
        report({
          type: 'datachannel',
          label: channel.label,
          id: channel.id,
          ordered: channel.ordered,
          maxRetransmits: channel.maxRetransmits,
          maxPacketLifeTime: channel.maxPacketLifeTime,
          protocol: channel.protocol,
        });
      };
    },

    adopt(channel) {
      channel.binaryType = 'arraybuffer';
      peer.channels.set(channel.label, channel);
      peer.received.set(channel.label, []);
      channel.onopen = () => report({ type: 'channel-open', label: channel.label });
      channel.onclose = () => report({ type: 'channel-close', label: channel.label });
      channel.onmessage = ({ data }) => {
        if (channel.label.startsWith('echo')) channel.send(data);
        const summary =
          typeof data === 'string'
            ? { kind: 'string', length: data.length }
            : { kind: 'binary', length: data.byteLength };
        peer.received.get(channel.label).push(summary);
      };
    },

    createDataChannel(label, init) {
      peer.adopt(peer.pc.createDataChannel(label, init));
    },

    async setLocalDescription(description) {
      await peer.pc.setLocalDescription(description);
      return peer.pc.localDescription.toJSON();
    },

    async setRemoteDescription(description) {
      await peer.pc.setRemoteDescription(description);
    },

    async addIceCandidate(candidate) {
      await peer.pc.addIceCandidate(candidate);
    },

    /** `count` strings "<prefix><i>" as fast as the channel takes them. */
    sendSequence(label, prefix, count) {
      const channel = peer.channels.get(label);
      for (let i = 0; i < count; i++) channel.send(`${prefix}${i}`);
    },

    /** `length` bytes of (i * 7 + seed) & 0xff: the test process checks the pattern. */
    sendPattern(label, length, seed) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) & 0xff;
      peer.channels.get(label).send(bytes);
    },

    sendText(label, text) {
      peer.channels.get(label).send(text);
    },

    closeChannel(label) {
      peer.channels.get(label).close();
    },

    state() {
      const pc = peer.pc;
      return {
        signalingState: pc.signalingState,
        connectionState: pc.connectionState,
        iceConnectionState: pc.iceConnectionState,
        maxMessageSize: pc.sctp === null ? null : pc.sctp.maxMessageSize,
      };
    },

    async stats() {
      const report = await peer.pc.getStats();
      return [...report.values()];
    },

    receivedCount(label) {
      return peer.received.get(label)?.length ?? 0;
    },

    // --- W3C perfect negotiation (WebRTC 1.0 §10.7), run inside the page ---

    perfectNegotiation(polite) {
      peer.negotiation = { polite, makingOffer: false, ignoreOffer: false };
    },

    async offerPerfectly() {
      const state = peer.negotiation;
      try {
        state.makingOffer = true;
        await peer.pc.setLocalDescription();
        report({ type: 'description', description: peer.pc.localDescription.toJSON() });
      } catch (error) {
        report({ type: 'error', message: String(error) });
      } finally {
        state.makingOffer = false;
      }
    },

    async onSignal({ description, candidate }) {
      const pc = peer.pc;
      const state = peer.negotiation;
      try {
        if (description !== undefined) {
          const offerCollision =
            description.type === 'offer' && (state.makingOffer || pc.signalingState !== 'stable');
          state.ignoreOffer = !state.polite && offerCollision;
          if (state.ignoreOffer) return;
          await pc.setRemoteDescription(description);
          if (description.type === 'offer') {
            await pc.setLocalDescription();
            report({ type: 'description', description: pc.localDescription.toJSON() });
          }
        } else if (candidate !== undefined) {
          try {
            await pc.addIceCandidate(candidate);
          } catch (error) {
            if (!state.ignoreOffer) throw error;
          }
        }
      } catch (error) {
        const what = description !== undefined ? description.type : JSON.stringify(candidate);
        report({ type: 'error', message: `${error} (${what} in ${pc.signalingState})` });
      }
    },

    close() {
      peer.pc?.close();
    },
  };

  window.peer = peer;
})();
