/**
 * The format-specific parameters of `a=fmtp` (RFC 8866 §6.15): a map for the upper layers and,
 * while unchanged, the exact text it was parsed from, so a round trip is lossless even for
 * spellings like FreeSWITCH's `useinbandfec=1; maxplaybackrate=48000` (a space after `;`).
 */

export class FmtpParameters {
  readonly #map = new Map<string, string | undefined>();
  /** The text as parsed; dropped by the first change, after which the map is formatted. */
  #text: string | undefined;

  /**
   * Parses `name=value;name=value`. A parameter without `=` (telephone-event's `0-16`) is kept
   * with an undefined value. Whitespace around names and values is not part of them.
   */
  static parse(text: string): FmtpParameters {
    const parameters = new FmtpParameters();
    for (const part of text.split(';')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      const equals = trimmed.indexOf('=');
      if (equals < 0) parameters.#map.set(trimmed, undefined);
      else parameters.#map.set(trimmed.slice(0, equals).trim(), trimmed.slice(equals + 1).trim());
    }
    parameters.#text = text;
    return parameters;
  }

  /** Parameters from a map or entries, formatted canonically (`a=b;c=d`). */
  static from(entries: Iterable<readonly [string, string | undefined]> = []): FmtpParameters {
    const parameters = new FmtpParameters();
    for (const [name, value] of entries) parameters.#map.set(name, value);
    return parameters;
  }

  get size(): number {
    return this.#map.size;
  }

  has(name: string): boolean {
    return this.#map.has(name);
  }

  /** The value of `name`; undefined when absent or valueless (tell them apart with `has`). */
  get(name: string): string | undefined {
    return this.#map.get(name);
  }

  set(name: string, value?: string): this {
    this.#map.set(name, value);
    this.#text = undefined;
    return this;
  }

  delete(name: string): boolean {
    const deleted = this.#map.delete(name);
    if (deleted) this.#text = undefined;
    return deleted;
  }

  entries(): IterableIterator<[string, string | undefined]> {
    return this.#map.entries();
  }

  /** The text for the `a=fmtp` line: the original if nothing changed, else `a=b;c`. */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    const parts: string[] = [];
    for (const [name, value] of this.#map)
      parts.push(value === undefined ? name : `${name}=${value}`);
    return parts.join(';');
  }
}
