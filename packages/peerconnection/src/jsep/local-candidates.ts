/**
 * Our candidates of the current ICE generation, as the local description and trickle ICE carry
 * them (RFC 8838, RFC 8839 §5.1). W3C §4.4.1.5: candidates gathered before a local description
 * is applied wait, and are surfaced (the `icecandidate` events) once one is; after that each is
 * surfaced as it comes.
 */

/** The candidates of one generation, kept to return to if its restart is rolled back. */
export interface CandidateSnapshot {
  readonly list: readonly string[];
  readonly ended: boolean;
}

export class LocalCandidates {
  readonly #onSurfaced: (candidates: readonly string[]) => void;
  #list: string[] = [];
  #ended = false;
  #surfaced = false;

  constructor(onSurfaced: (candidates: readonly string[]) => void) {
    this.#onSurfaced = onSurfaced;
  }

  get list(): readonly string[] {
    return this.#list;
  }

  /** Whether candidates are surfaced as they come (a local description of theirs is applied). */
  get surfaced(): boolean {
    return this.#surfaced;
  }

  /** Gathering is complete (`a=end-of-candidates`, RFC 8840 §4.1). */
  get ended(): boolean {
    return this.#ended;
  }

  add(candidate: string): void {
    this.#list.push(candidate);
    if (this.#surfaced) this.#onSurfaced([candidate]);
  }

  end(): void {
    this.#ended = true;
  }

  /** A local description was applied: what waited is surfaced, and from now on each at once. */
  surface(): void {
    if (this.#surfaced) return;
    this.#surfaced = true;
    this.#onSurfaced(this.#list);
  }

  /**
   * An ICE restart: a new generation with none yet, whose candidates wait for the local
   * description that carries its credentials. Returns the one it replaces.
   */
  restart(): CandidateSnapshot {
    const previous = { list: this.#list, ended: this.#ended };
    this.#list = [];
    this.#ended = false;
    this.#surfaced = false;
    return previous;
  }

  /** Back to a generation `restart` replaced (its restart rolled back); it was surfaced. */
  restore(snapshot: CandidateSnapshot): void {
    this.#list = [...snapshot.list];
    this.#ended = snapshot.ended;
    this.#surfaced = true;
  }
}
