// Used by node.js (the package in node) and by tests/node/ (the wasm build under node).
// A minimal XMLHttpRequest for node, over node's fetch, with the browser semantics that
// emscripten_fetch (src/Fetch.js in 3.1.6) relies on: redirects followed (relative ones too),
// Authorization dropped on a cross-origin redirect (the fetch spec, as browsers do), arraybuffer
// responses, lower-case headers from getAllResponseHeaders(), status 0 on network failure, and
// ontimeout. CORS itself is not enforced here: that is the browser tests' job.
export class NodeXMLHttpRequest {
  // The most body bytes any one request received (tests reset it): what a tab would have held.
  static maxReceived = 0;
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.response = null;
    this.responseType = '';
    this.timeout = 0;
    this.withCredentials = false;
    this._headers = {};
    this._responseHeaders = '';
    this._controller = new AbortController();
  }
  open(method, url) { this._method = method; this._url = url; this._set(1); }
  setRequestHeader(k, v) { this._headers[k] = v; }
  overrideMimeType() {}
  getAllResponseHeaders() { return this._responseHeaders; }
  getResponseHeader(name) {
    const line = this._responseHeaders.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line ? line.slice(line.indexOf(':') + 1).trim() : null;
  }
  abort() { this._aborted = true; this._controller.abort(); }
  _set(state) { this.readyState = state; this.onreadystatechange?.({ target: this }); }
  // The body is read chunk by chunk, with a progress event after each as browsers send them, so a
  // client that aborts on progress stops the transfer: `received` counts what arrived before it did.
  async send() {
    let timer = null;
    let timedOut = false;
    this.received = 0;
    if (this.timeout) timer = setTimeout(() => { timedOut = true; this._controller.abort(); }, this.timeout);
    try {
      const res = await fetch(this._url, { method: this._method, headers: this._headers, redirect: 'follow', signal: this._controller.signal });
      this.status = res.status;
      this.statusText = res.statusText;
      this._responseHeaders = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n';
      this._set(2);
      const total = Number(res.headers.get('content-length') ?? 0);
      const chunks = [];
      if (res.body) {
        for await (const chunk of res.body) {
          chunks.push(chunk);
          this.received += chunk.byteLength;
          NodeXMLHttpRequest.maxReceived = Math.max(NodeXMLHttpRequest.maxReceived, this.received);
          if (this.readyState !== 3) this._set(3);
          this.onprogress?.({ target: this, loaded: this.received, total, lengthComputable: total > 0 });
          if (this._aborted) return;
        }
      }
      const body = Buffer.concat(chunks);
      const buffer = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
      this.response = this.responseType === 'arraybuffer' ? buffer : body.toString();
      this._set(4);
      this.onload?.({ target: this, loaded: body.byteLength, total: body.byteLength });
    } catch {
      if (this._aborted) return;
      this.status = 0;
      this._set(4);
      if (timedOut) this.ontimeout?.({ target: this });
      else this.onerror?.({ target: this });
    } finally {
      clearTimeout(timer);
    }
  }
}
