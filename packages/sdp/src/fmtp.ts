/**
 * The format-specific parameters of `a=fmtp` (RFC 8866 §6.15): a map for the upper layers and,
 * while unchanged, the exact text it was parsed from, so a round trip is lossless even for
 * spellings like FreeSWITCH's `useinbandfec=1; maxplaybackrate=48000` (a space after `;`).
 */

export class FmtpParameters {
  /** Built from `#text` on first use: most parsed descriptions never look inside most fmtps. */
  #parsed: Map<string, string | undefined> | undefined;
  /** The text as parsed; dropped by the first change, after which the map is formatted. */
  #text: string | undefined;

  private constructor(text: string | undefined, map: Map<string, string | undefined> | undefined) {
    this.#text = text;
    this.#parsed = map;
  }

  /**
   * Parameters from `name=value;name=value`. A parameter without `=` (telephone-event's
   * `0-16`) is kept with an undefined value. Whitespace around names and values is not part of
   * them. Nothing here can fail: any text is some set of parameters.
   */
  static parse(text: string): FmtpParameters {
    return new FmtpParameters(text, undefined);
  }

  /** Parameters from a map or entries, formatted canonically (`a=b;c=d`). */
  static from(entries: Iterable<readonly [string, string | undefined]> = []): FmtpParameters {
    return new FmtpParameters(undefined, new Map(entries));
  }

  get #map(): Map<string, string | undefined> {
    if (this.#parsed === undefined) {
      this.#parsed = new Map();
      for (const part of (this.#text ?? '').split(';')) {
        const trimmed = part.trim();
        if (trimmed === '') continue;
        const equals = trimmed.indexOf('=');
        if (equals < 0) this.#parsed.set(trimmed, undefined);
        else this.#parsed.set(trimmed.slice(0, equals).trim(), trimmed.slice(equals + 1).trim());
      }
    }
    return this.#parsed;
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
    this.#map.set(name, value); // parses #text first, if not yet done
    this.#text = undefined;
    return this;
  }

  delete(name: string): boolean {
    const deleted = this.#map.delete(name); // parses #text first, if not yet done
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
