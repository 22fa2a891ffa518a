/**
 * Payload protocol identifiers of data channel messages (RFC 8831 §8) and what they mean for a
 * message: DCEP, or a user message that is a string or binary. SCTP cannot carry an empty user
 * message, so an empty one travels as a single byte under its own PPID (RFC 8831 §6.6).
 */

export const Ppid = {
  dcep: 50,
  string: 51,
  /** Deprecated (RFC 8831 §8): a fragment of a string message; only accepted on receive. */
  stringPartial: 52,
  binary: 53,
  /** Deprecated (RFC 8831 §8): a fragment of a binary message; only accepted on receive. */
  binaryPartial: 54,
  stringEmpty: 56,
  binaryEmpty: 57,
} as const;

/** A user message as the application sees it: text (UTF-8 bytes) or binary. */
export interface UserMessage {
  readonly binary: boolean;
  readonly data: Uint8Array;
}

/** The single byte an empty message is sent as (RFC 8831 §6.6: its value is ignored). */
const EMPTY_PAYLOAD = Uint8Array.of(0);

/** What goes on the wire for a user message. */
export interface UserPayload {
  readonly ppid: number;
  readonly data: Uint8Array;
}

/** The PPID and payload a user message goes out with. */
export function userPayload(message: UserMessage): UserPayload {
  const { binary, data } = message;
  if (data.length === 0) {
    return { ppid: binary ? Ppid.binaryEmpty : Ppid.stringEmpty, data: EMPTY_PAYLOAD.slice() };
  }
  return { ppid: binary ? Ppid.binary : Ppid.string, data };
}

const EMPTY = new Uint8Array(0);

/**
 * Turns the user messages received on one stream into application messages. Legacy peers split
 * a large message into fragments sent with the deprecated partial PPIDs (52, 54), the last one
 * with the complete PPID of the same kind (51, 53); those are joined here. A fragment of the
 * other kind abandons the fragments held, and a message growing past `maxMessageSize` is
 * dropped whole, so the memory held is bounded by it.
 */
export class IncomingUserMessages {
  readonly #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  #fragmentsBinary = false;
  /** The message in progress outgrew the limit: drop its fragments up to its last one. */
  #discarding = false;

  /**
   * The complete message this user message makes, if any: undefined for a fragment held, for
   * the end of a dropped message, and for a PPID that is not a user message.
   */
  receive(ppid: number, data: Uint8Array, maxMessageSize: number): UserMessage | undefined {
    switch (ppid) {
      case Ppid.string:
      case Ppid.binary:
        return this.#complete(ppid === Ppid.binary, data, maxMessageSize);
      case Ppid.stringPartial:
      case Ppid.binaryPartial:
        this.#fragment(ppid === Ppid.binaryPartial, data, maxMessageSize);
        return undefined;
      case Ppid.stringEmpty:
      case Ppid.binaryEmpty:
        this.#reset();
        return { binary: ppid === Ppid.binaryEmpty, data: EMPTY };
      default:
        return undefined;
    }
  }

  #complete(binary: boolean, data: Uint8Array, maxMessageSize: number): UserMessage | undefined {
    if (this.#fragments.length === 0 && !this.#discarding) return { binary, data };
    this.#fragment(binary, data, maxMessageSize);
    const discarded = this.#discarding;
    const joined = discarded ? EMPTY : join(this.#fragments, this.#fragmentBytes);
    this.#reset();
    return discarded ? undefined : { binary, data: joined };
  }

  #fragment(binary: boolean, data: Uint8Array, maxMessageSize: number): void {
    const inProgress = this.#fragments.length > 0 || this.#discarding;
    if (inProgress && binary !== this.#fragmentsBinary) this.#reset();
    this.#fragmentsBinary = binary;
    if (this.#discarding) return;
    if (this.#fragmentBytes + data.length > maxMessageSize) {
      this.#reset();
      this.#discarding = true;
      return;
    }
    // The fragment is a view the association may reuse: keep a copy.
    this.#fragments.push(data.slice());
    this.#fragmentBytes += data.length;
  }

  #reset(): void {
    this.#fragments.length = 0;
    this.#fragmentBytes = 0;
    this.#discarding = false;
  }
}

function join(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
