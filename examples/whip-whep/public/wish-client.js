// A WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) client, shared by both pages: the same
// HTTP exchange serves a publisher and a player, only the offer's directions differ.
//
//   POST endpoint (application/sdp offer) -> 201 Created, Location, ETag, the answer
//   PATCH Location (application/trickle-ice-sdpfrag): our candidates as they are gathered
//   PATCH Location with If-Match: * and new credentials: an ICE restart
//   DELETE Location: the end

const FRAGMENT = 'application/trickle-ice-sdpfrag';

/** The first m= section of a description: its m= line, mid and ICE credentials. */
function firstSection(sdp) {
  const lines = sdp.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('m='));
  const next = lines.findIndex((line, index) => index > start && line.startsWith('m='));
  const scope = [...lines.slice(0, start), ...lines.slice(start, next < 0 ? undefined : next)];
  const value = (prefix) => scope.find((line) => line.startsWith(prefix))?.slice(prefix.length);
  return {
    mLine: lines[start],
    mid: value('a=mid:'),
    ufrag: value('a=ice-ufrag:'),
    pwd: value('a=ice-pwd:'),
  };
}

export class WishClient {
  #pending = [];
  #gathered = false;
  #endSent = false;
  #busy = false;

  /** `endpoint`: the WHIP or WHEP endpoint URL; `token`: a bearer token (RFC 9725 §4.7.1). */
  constructor(pc, endpoint, { token } = {}) {
    this.pc = pc;
    this.endpoint = new URL(endpoint, location.href).href;
    this.token = token;
    this.resource = undefined; // the session URL, from Location
    this.etag = undefined; // the ICE session's entity-tag (§4.3.1)
    this.patches = 0; // trickle PATCHes the server took (204)
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate === null || candidate.candidate === '') this.#gathered = true;
      else this.#pending.push(candidate.candidate);
      void this.#flush();
    });
    // A lost connection comes back with an ICE restart rather than a new session (§4.3.3).
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.restartIce().catch(console.warn);
    });
  }

  #headers(headers = {}) {
    return this.token ? { ...headers, authorization: `Bearer ${this.token}` } : headers;
  }

  /** §4.2: POST the offer at once; candidates follow by PATCH (§4.3.2, Trickle ICE). */
  async start() {
    await this.pc.setLocalDescription();
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: this.#headers({ 'content-type': 'application/sdp' }),
      body: this.pc.localDescription.sdp,
    });
    if (response.status !== 201) {
      throw new Error(`POST ${this.endpoint}: ${response.status} ${await response.text()}`);
    }
    // Location may be relative: it is resolved against the endpoint's URL.
    this.resource = new URL(response.headers.get('location'), this.endpoint).href;
    this.etag = response.headers.get('etag') ?? undefined;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    await this.#flush();
  }

  #fragment(candidates, end) {
    const { mLine, mid, ufrag, pwd } = firstSection(this.pc.localDescription.sdp);
    const lines = [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, mLine, `a=mid:${mid}`];
    for (const candidate of candidates) lines.push(`a=${candidate}`);
    if (end) lines.push('a=end-of-candidates');
    return `${lines.join('\r\n')}\r\n`;
  }

  /** Sends what was gathered since the last PATCH, one PATCH at a time. */
  async #flush() {
    if (this.resource === undefined || this.#busy) return;
    this.#busy = true;
    try {
      while (this.#pending.length > 0 || (this.#gathered && !this.#endSent)) {
        const candidates = this.#pending.splice(0);
        const end = this.#gathered;
        const headers = { 'content-type': FRAGMENT };
        if (this.etag !== undefined) headers['if-match'] = this.etag;
        const response = await fetch(this.resource, {
          method: 'PATCH',
          headers: this.#headers(headers),
          body: this.#fragment(candidates, end),
        });
        if (response.status === 204) this.patches++;
        else console.warn(`PATCH ${this.resource}: ${response.status}`);
        if (end) this.#endSent = true;
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * §4.3.3: new credentials in a PATCH with If-Match: *; the server's new credentials and
   * candidates come back in the 200 response, and are put into its answer.
   */
  async restartIce() {
    if (this.resource === undefined) return;
    this.#busy = true; // candidates of the new generation wait for the new ETag
    this.#pending = [];
    this.#gathered = false;
    this.#endSent = false;
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
      const response = await fetch(this.resource, {
        method: 'PATCH',
        headers: this.#headers({ 'content-type': FRAGMENT, 'if-match': '*' }),
        body: this.#fragment([], false),
      });
      if (response.status !== 200) throw new Error(`ICE restart: ${response.status}`);
      this.etag = response.headers.get('etag') ?? undefined;
      const lines = (await response.text()).split(/\r?\n/);
      const value = (prefix) => lines.find((line) => line.startsWith(prefix))?.slice(prefix.length);
      const mid = value('a=mid:');
      const answer = this.pc.remoteDescription.sdp
        .split(/\r\n/)
        .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
        .map((line) =>
          line.startsWith('a=ice-ufrag:') ? `a=ice-ufrag:${value('a=ice-ufrag:')}` : line,
        )
        .map((line) => (line.startsWith('a=ice-pwd:') ? `a=ice-pwd:${value('a=ice-pwd:')}` : line))
        .join('\r\n');
      await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
      for (const line of lines.filter((l) => l.startsWith('a=candidate:'))) {
        await this.pc.addIceCandidate({ candidate: line.slice(2), sdpMid: mid });
      }
    } finally {
      this.#busy = false;
    }
    await this.#flush();
  }

  /** §4.2: DELETE the session; `keepalive` lets it outlive a closing page. */
  async stop({ keepalive = false } = {}) {
    const resource = this.resource;
    this.resource = undefined;
    this.pc.close();
    if (resource === undefined) return undefined;
    const response = await fetch(resource, {
      method: 'DELETE',
      headers: this.#headers(),
      keepalive,
    });
    return response.status;
  }
}
