/**
 * What an SRTP context remembers per SSRC and direction: the rollover counter and highest
 * sequence number (RFC 3711 §3.2.1, §3.3.1), the SRTCP index, the replay windows of a receiver
 * (§3.3.2) and the stream's precomputed keystream.
 */

import { KeystreamCache } from './keystream.js';
import { ReplayWindow } from './replay-window.js';

export class SsrcState {
  /** ROC of the highest index seen or sent. */
  roc = 0;
  /**
   * s_l: the sequence number of the highest index seen or sent; -1 until the first SRTP packet
   * (a receiver may learn an SSRC from SRTCP first).
   */
  highestSeq = -1;
  /** Next SRTCP index to send (RFC 3711 §3.4: starts at 0, +1 per packet). */
  nextRtcpIndex = 0;
  readonly keystream = new KeystreamCache();
  /**
   * Receiving side: the SRTP indexes received (RFC 3711 §3.3.2). Sending side: the indexes
   * already used, so that no index is protected twice with different content (§9.1: keystream
   * must never be reused).
   */
  readonly rtpReplay: ReplayWindow;
  /** Receiving side only: the SRTCP indexes received; the sender counts them instead. */
  readonly rtcpReplay: ReplayWindow | null;

  constructor(replayWindow: number, sending: boolean) {
    this.rtpReplay = new ReplayWindow(replayWindow);
    this.rtcpReplay = sending ? null : new ReplayWindow(replayWindow);
  }

  /** The 48-bit index of the highest packet seen or sent. */
  get highestIndex(): number {
    return this.roc * 0x1_0000 + this.highestSeq;
  }

  /** Whether an SRTP packet has set s_l yet. */
  get started(): boolean {
    return this.highestSeq >= 0;
  }

  /**
   * Advances ROC and s_l when `roc`/`seq` is newer (receivers: only once authenticated). The
   * first packet sets them (RFC 3711 §3.3.1: s_l from the first packet, ROC 0).
   */
  advance(roc: number, seq: number): void {
    if (roc * 0x1_0000 + seq > this.highestIndex) {
      this.roc = roc;
      this.highestSeq = seq;
    }
  }
}
