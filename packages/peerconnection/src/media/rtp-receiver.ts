/**
 * `RTCRtpReceiver` (W3C WebRTC 1.0 §5.3): the W3C surface of one transceiver's receiving half,
 * over an `RtpReceiveStream`. Server extension: `requestKeyFrame()`.
 */

import type { RTCStatsReport } from '../stats/index.js';
import type { RTCDtlsTransport } from '../transport/w3c-transports.js';
import {
  getCapabilities,
  type MediaCodecConfiguration,
  type RTCRtpCapabilities,
} from './codec-capabilities.js';
import { internals } from './internals.js';
import type { MediaStreamTrack } from './media-stream-track.js';
import { type RTCRtpReceiveParameters, sectionParameters } from './rtp-parameters.js';
import type { RtpReceiveStream } from './rtp-receive-stream.js';

export interface ReceiverHost {
  readonly cname: string;
  transport(): RTCDtlsTransport | null;
  getStats(receiver: RTCRtpReceiver): Promise<RTCStatsReport>;
}

/** W3C §5.3.1 RTCRtpSynchronizationSource. */
export interface RTCRtpSynchronizationSource {
  timestamp: number;
  source: number;
  rtpTimestamp: number;
}

export class RTCRtpReceiver {
  readonly [internals]: { readonly stream: RtpReceiveStream };
  readonly #host: ReceiverHost;
  readonly #stream: RtpReceiveStream;

  constructor(stream: RtpReceiveStream, host: ReceiverHost) {
    this.#stream = stream;
    this.#host = host;
    this[internals] = { stream };
  }

  static getCapabilities(
    kind: string,
    configuration?: MediaCodecConfiguration,
  ): RTCRtpCapabilities | null {
    if (kind !== 'audio' && kind !== 'video') return null;
    return getCapabilities(kind, configuration);
  }

  get track(): MediaStreamTrack {
    return this.#stream.track;
  }

  get transport(): RTCDtlsTransport | null {
    return this.#host.transport();
  }

  getParameters(): RTCRtpReceiveParameters {
    return sectionParameters(this.#stream.section, this.#host.cname);
  }

  /** W3C §5.3 getSynchronizationSources: the SSRCs heard from, with their latest packet. */
  getSynchronizationSources(): RTCRtpSynchronizationSource[] {
    const sources: RTCRtpSynchronizationSource[] = [];
    for (const stream of this.#stream.streams.values()) {
      const at = stream.lastPacketReceivedAt;
      if (at === undefined) continue;
      sources.push({
        timestamp: performance.timeOrigin + at,
        source: stream.ssrc,
        rtpTimestamp: stream.lastRtpTimestamp,
      });
    }
    return sources;
  }

  /** W3C §5.3 getContributingSources: CSRCs are not tracked (no mixer sends them to us). */
  getContributingSources(): RTCRtpSynchronizationSource[] {
    return [];
  }

  /**
   * Server extension: asks the peer's sender for a keyframe, a PLI (or a FIR when only
   * `ccm fir` was negotiated). Before the first packet, it goes out when that packet arrives.
   */
  requestKeyFrame(): void {
    this.#stream.requestKeyFrame();
  }

  getStats(): Promise<RTCStatsReport> {
    return this.#host.getStats(this);
  }
}
