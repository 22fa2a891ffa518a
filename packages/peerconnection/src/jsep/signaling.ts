/**
 * The signaling state machine (W3C WebRTC 1.0 §4.3.1, RFC 8829 §3.2): which descriptions may be
 * applied in which state, and the state that follows. Rollback is its own transition.
 */

export type RTCSignalingState =
  | 'stable'
  | 'have-local-offer'
  | 'have-remote-offer'
  | 'have-local-pranswer'
  | 'have-remote-pranswer'
  | 'closed';

export type DescriptionSide = 'local' | 'remote';
export type AppliedSdpType = 'offer' | 'pranswer' | 'answer';

/**
 * The state after applying a `type` description on `side` in `state`, or undefined when the
 * W3C algorithm rejects it with InvalidStateError (§4.4.1.5 "set the session description").
 */
export function nextSignalingState(
  state: RTCSignalingState,
  side: DescriptionSide,
  type: AppliedSdpType,
): RTCSignalingState | undefined {
  if (side === 'local') {
    switch (type) {
      case 'offer':
        return state === 'stable' || state === 'have-local-offer' ? 'have-local-offer' : undefined;
      case 'pranswer':
        return state === 'have-remote-offer' || state === 'have-local-pranswer'
          ? 'have-local-pranswer'
          : undefined;
      case 'answer':
        return state === 'have-remote-offer' || state === 'have-local-pranswer'
          ? 'stable'
          : undefined;
    }
  }
  switch (type) {
    case 'offer':
      return state === 'stable' || state === 'have-remote-offer' ? 'have-remote-offer' : undefined;
    case 'pranswer':
      return state === 'have-local-offer' || state === 'have-remote-pranswer'
        ? 'have-remote-pranswer'
        : undefined;
    case 'answer':
      return state === 'have-local-offer' || state === 'have-remote-pranswer'
        ? 'stable'
        : undefined;
  }
}
