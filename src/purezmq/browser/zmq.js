// ØMQ for JavaScript in the browser (and Node): ZeroMQ sockets over WebSocket, speaking
// ZWS 2.0 (RFC 45) to purezmq's ws:// listener or to libzmq's.
//
// One ES module, no build step, no dependencies: it uses the platform's WebSocket (a browser's,
// Node 22's, or one passed in as `options.WebSocket`, e.g. npm `ws`). Types are in zmq.d.ts.
//
//   import { Socket } from "./zmq.js";
//   const req = new Socket("REQ");
//   req.connect("ws://127.0.0.1:5555");
//   await req.send("hello");
//   const [reply] = await req.receive();      // Uint8Array frames
//   console.log(text(reply));
//
// Socket types: REQ, REP, DEALER, ROUTER, PUB, SUB, PUSH, PULL, CLIENT (CLIENT talks to a
// draft SERVER, single-frame messages). A page can only connect, so each socket has one peer:
// the server at its endpoint. Mechanisms: NULL, and PLAIN as the client (`username`,
// `password`). The socket reconnects by itself with back-off; a SUB subscribes again, a REQ
// whose request was lost with the connection may send again.
//
// The wire (docs/protocol/transports.md §4, RFC 45): the WebSocket subprotocol names the
// mechanism (`ZWS2.0/NULL`, `ZWS2.0/PLAIN`); each ZMTP frame is one binary WebSocket message,
// a flags byte (0x01 MORE, 0x02 COMMAND) then the body. The mechanism handshake (RFC 23 NULL
// READY; RFC 24 PLAIN HELLO, WELCOME, INITIATE, READY, ERROR) runs as command messages.
// Subscriptions are `0x01 topic` / `0x00 topic` messages, as RFC 45 says.

const FLAG_MORE = 0x01;
const FLAG_COMMAND = 0x02;

// The WebSocket subprotocols offered. RFC 45 names them ZWS2.0/NULL and ZWS2.0/PLAIN, but a
// subprotocol is an HTTP token (RFC 6455 §4.1) and "/" is not a token character: browsers
// refuse to send those names. A NULL socket offers the token spelling purezmq's listener
// accepts, then RFC 45's "ZWS2.0" (no mechanism: routing ids instead of READY), which libzmq
// accepts too; PLAIN needs a server that accepts ZWS2.0-PLAIN (purezmq's).
const NULL_TOKEN = "ZWS2.0-NULL";
const PLAIN_TOKEN = "ZWS2.0-PLAIN";
const NO_MECHANISM = "ZWS2.0";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The socket types this module implements. */
export const SOCKET_TYPES = Object.freeze([
  "REQ", "REP", "DEALER", "ROUTER", "PUB", "SUB", "PUSH", "PULL", "CLIENT",
]);

// Which peer types each type may talk to (RFC 28, 29, 30, 41); a peer announcing another
// type in its READY is refused, as libzmq does.
const PEERS = {
  REQ: ["REP", "ROUTER"],
  REP: ["REQ", "DEALER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
  ROUTER: ["REQ", "DEALER", "ROUTER"],
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  PUSH: ["PULL"],
  PULL: ["PUSH"],
  CLIENT: ["SERVER"],
};
const CAN_SEND = new Set(["REQ", "REP", "DEALER", "ROUTER", "PUB", "PUSH", "CLIENT"]);
const CAN_RECEIVE = new Set(["REQ", "REP", "DEALER", "ROUTER", "SUB", "PULL", "CLIENT"]);

/**
 * The error every failing call rejects with. `code` is libzmq's errno name where one fits:
 * EACCES (the server refused the PLAIN credentials), EPROTO (the peer broke the protocol or
 * is of an incompatible type), EFSM (REQ/REP out of turn), ENOTSUP (send on a SUB, ...),
 * EINVAL (a bad argument), EAGAIN (a timeout ran out), ENOTSOCK (the socket is closed),
 * ECONNRESET (a REQ's connection dropped before the reply came).
 */
export class ZmqError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ZmqError";
    this.code = code;
  }
}

/** A frame as UTF-8 text. */
export function text(frame) {
  return decoder.decode(frame);
}

/** Any accepted frame (string, Uint8Array, ArrayBuffer, typed array, DataView) as bytes. */
export function toBytes(frame) {
  if (typeof frame === "string") return encoder.encode(frame);
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) {
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  }
  throw new ZmqError("EINVAL", `a frame must be a string or bytes, not ${typeof frame}`);
}

function concat(parts) {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function startsWith(data, prefix) {
  if (prefix.length > data.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

function equalBytes(a, b) {
  return a.length === b.length && startsWith(a, b);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- ZMTP commands (RFC 23 §"Command", RFC 24) --------------------------------------------

function command(name, data = new Uint8Array(0)) {
  const n = encoder.encode(name);
  return concat([Uint8Array.of(n.length), n, data]);
}

/** Metadata properties: name-length(1) name value-length(4, big-endian) value (RFC 23). */
function encodeMetadata(props) {
  const parts = [];
  for (const [name, value] of Object.entries(props)) {
    const n = encoder.encode(name);
    const v = toBytes(value);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, v.length);
    parts.push(Uint8Array.of(n.length), n, len, v);
  }
  return concat(parts);
}

function decodeMetadata(data) {
  const props = {};
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    const nameLen = data[at];
    if (at + 1 + nameLen + 4 > data.length) throw new ZmqError("EPROTO", "truncated metadata");
    const name = decoder.decode(data.subarray(at + 1, at + 1 + nameLen)).toLowerCase();
    const valueLen = view.getUint32(at + 1 + nameLen);
    const start = at + 1 + nameLen + 4;
    if (start + valueLen > data.length) throw new ZmqError("EPROTO", "truncated metadata");
    props[name] = data.subarray(start, start + valueLen);
    at = start + valueLen;
  }
  return props;
}

/** [name, data] of a command body; libzmq ≥ 4.3's PLAIN server spells ERROR's prefix as the
 * single byte 0x5E ("^RROR", docs/protocol/mechanisms.md §2.3): read that as ERROR too. */
function parseCommand(body) {
  if (startsWith(body, encoder.encode("^RROR"))) return ["ERROR", body.subarray(5)];
  const len = body[0];
  if (body.length < 1 + len) throw new ZmqError("EPROTO", "truncated command");
  return [decoder.decode(body.subarray(1, 1 + len)), body.subarray(1 + len)];
}

function errorReason(data) {
  const len = data[0] ?? 0;
  return decoder.decode(data.subarray(1, 1 + len));
}

// -- the connection: one WebSocket, its handshake, frames to messages ---------------------

class Connection {
  constructor(socket, url) {
    this.socket = socket;
    this.ready = false;
    this.closed = false;
    this.frames = [];
    this.peerType = "";
    this.peerId = new Uint8Array(0);
    this.step = ""; // what the handshake waits for: WELCOME, READY, or ID (the peer's routing id)
    const opts = socket.options;
    this.plain = opts.username !== undefined || opts.password !== undefined;
    const WS = opts.WebSocket ?? globalThis.WebSocket;
    if (typeof WS !== "function") {
      throw new ZmqError("ENOTSUP", "no WebSocket here: pass options.WebSocket (e.g. npm ws)");
    }
    const ws = new WS(url, this.plain ? [PLAIN_TOKEN] : [NULL_TOKEN, NO_MECHANISM]);
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.opened();
    ws.onmessage = (event) => this.received(event.data);
    ws.onclose = (event) => this.ended(`closed (${event.code}${event.reason ? " " + event.reason : ""})`);
    // An error ends the connection: browsers follow it with a close event, but Node's
    // WebSocket (undici) may not when the connection is refused.
    ws.onerror = () => this.ended("WebSocket error (refused or broken connection)");
  }

  opened() {
    const chosen = this.ws.protocol;
    if (chosen === NO_MECHANISM && !this.plain) {
      // RFC 45 "No Mechanism": our routing id first, then the peer's ends the handshake.
      this.sendFrame(0, this.routingId());
      this.step = "ID";
    } else if (chosen !== (this.plain ? PLAIN_TOKEN : NULL_TOKEN)) {
      this.fail(new ZmqError("EPROTO", `the server chose the WebSocket subprotocol "${chosen}"`));
    } else if (this.plain) {
      const user = encoder.encode(this.socket.options.username ?? "");
      const pass = encoder.encode(this.socket.options.password ?? "");
      if (user.length > 255 || pass.length > 255) {
        return this.fail(new ZmqError("EINVAL", "PLAIN username and password: 255 bytes each at most"), true);
      }
      this.sendCommand(command("HELLO", concat([Uint8Array.of(user.length), user, Uint8Array.of(pass.length), pass])));
      this.step = "WELCOME";
    } else {
      this.sendCommand(command("READY", this.metadata()));
      this.step = "READY";
    }
  }

  routingId() {
    const id = this.socket.options.routingId;
    const routed = ["REQ", "DEALER", "ROUTER"].includes(this.socket.type);
    return id !== undefined && routed ? toBytes(id) : new Uint8Array(0);
  }

  metadata() {
    const props = { "Socket-Type": this.socket.type };
    const id = this.routingId();
    if (id.length) props.Identity = id;
    return encodeMetadata(props);
  }

  sendCommand(body) {
    this.sendFrame(FLAG_COMMAND, body);
  }

  sendFrame(flags, body) {
    const data = new Uint8Array(body.length + 1);
    data[0] = flags;
    data.set(body, 1);
    this.ws.send(data);
  }

  /** Writes one message: each frame a WebSocket message, MORE on all but the last. */
  write(frames) {
    for (let i = 0; i < frames.length; i++) {
      this.sendFrame(i < frames.length - 1 ? FLAG_MORE : 0, frames[i]);
    }
  }

  received(data) {
    if (this.closed) return;
    if (typeof data === "string") {
      return this.fail(new ZmqError("EPROTO", "peer sent a WebSocket text message"));
    }
    const bytes = new Uint8Array(data);
    if (bytes.length === 0) {
      return this.fail(new ZmqError("EPROTO", "peer sent a message without a flags byte"));
    }
    const flags = bytes[0];
    const body = bytes.subarray(1);
    try {
      if (flags & FLAG_COMMAND) this.onCommand(body);
      else this.onFrame(flags, body);
    } catch (err) {
      this.fail(err instanceof ZmqError ? err : new ZmqError("EPROTO", String(err)));
    }
  }

  onCommand(body) {
    if (body.length === 0) return; // libzmq's ZWS heartbeat: liveness only
    const [name, data] = parseCommand(body);
    if (name === "ERROR") {
      const reason = errorReason(data);
      if (!this.ready && this.plain) {
        return this.fail(new ZmqError("EACCES", `the server refused the PLAIN credentials (${reason})`), true);
      }
      return this.fail(new ZmqError("EPROTO", `the peer sent ERROR: ${reason}`));
    }
    if (!this.ready) return this.onHandshake(name, data);
    if (name === "PING") {
      // RFC 37 PING: TTL(2) context; answer PONG with the context.
      this.sendCommand(command("PONG", data.subarray(2)));
    } else if (name === "SUBSCRIBE" || name === "CANCEL") {
      this.socket.peerSubscription(name === "SUBSCRIBE", data);
    }
  }

  onHandshake(name, data) {
    if (name === "WELCOME" && this.step === "WELCOME") {
      this.sendCommand(command("INITIATE", this.metadata()));
      this.step = "READY";
      return;
    }
    if (name !== "READY" || this.step !== "READY") {
      throw new ZmqError("EPROTO", `unexpected ${name} during the handshake`);
    }
    const props = decodeMetadata(data);
    const peerType = props["socket-type"] ? text(props["socket-type"]) : "";
    if (!PEERS[this.socket.type].includes(peerType)) {
      return this.fail(new ZmqError("EPROTO", `a ${this.socket.type} socket cannot talk to a ${peerType || "typeless"} peer`));
    }
    this.peerType = peerType;
    this.peerId = props.identity ?? new Uint8Array(0);
    this.ready = true;
    this.socket.connectionReady(this);
  }

  onFrame(flags, body) {
    if (!this.ready && this.step === "ID") {
      if (flags & FLAG_MORE) throw new ZmqError("EPROTO", "the peer's routing id must be one frame");
      this.peerId = body.slice();
      this.ready = true;
      this.socket.connectionReady(this);
      return;
    }
    if (!this.ready) throw new ZmqError("EPROTO", "peer sent a message before its handshake ended");
    this.frames.push(body.slice());
    if (flags & FLAG_MORE) return;
    const frames = this.frames;
    this.frames = [];
    this.socket.peerMessage(this, frames);
  }

  fail(error, final = false) {
    if (this.closed) return;
    this.socket.connectionError(this, error, final);
    this.ended(error.message);
    this.close();
  }

  close() {
    try {
      this.ws.close(1000);
    } catch {
      // already closing
    }
  }

  ended(reason) {
    if (this.closed) return;
    this.closed = true;
    this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
    this.socket.connectionEnded(this, reason);
  }
}

// -- the socket ------------------------------------------------------------------------------

/**
 * A ØMQ socket of `type` that connects to one ws:// or wss:// endpoint. See zmq.d.ts for the
 * options and every method.
 */
export class Socket {
  constructor(type, options = {}) {
    type = String(type).toUpperCase();
    if (!SOCKET_TYPES.includes(type)) {
      throw new ZmqError("EINVAL", `unknown socket type ${type}: one of ${SOCKET_TYPES.join(", ")}`);
    }
    this.type = type;
    this.options = {
      reconnectIvl: 100,
      reconnectIvlMax: 5000,
      receiveTimeout: -1,
      sendTimeout: -1,
      highWaterMark: 1000,
      reconnectAfterAuthFailure: false,
      ...options,
    };
    /** The endpoint given to connect(), or "". */
    this.endpoint = "";
    /** connecting, connected, refused (PLAIN credentials refused), closed. */
    this.state = "idle";
    /** The last error the connection reported (the ERROR reason of a refused PLAIN login...). */
    this.lastError = null;
    this._conn = null;
    this._timer = null;
    this._ivl = this.options.reconnectIvl;
    this._outbox = []; // {frames, resolve, reject, timer}
    this._inbox = []; // received messages, oldest first
    this._waiters = []; // {resolve, reject, timer}
    this._listeners = new Map();
    this._subscriptions = new Map(); // SUB: hex(topic) -> [topic, count]
    this._peerTopics = []; // PUB: the peer's subscriptions, as bytes
    this._reqState = "send"; // REQ: send | sent | wait ; REP: receive | reply
    this._envelope = null; // REP: the routing envelope of the request being answered
    this._envelopeConn = null;
    this._routerSeq = (Math.random() * 0xffffffff) >>> 0; // ROUTER's generated peer ids
    this._peerId = null; // ROUTER: the current peer's routing id
  }

  /** Connects to `endpoint` (ws:// or wss://); returns at once, the socket connects by itself. */
  connect(endpoint) {
    this._checkOpen();
    if (this.endpoint) {
      throw new ZmqError("EINVAL", `already connected to ${this.endpoint}: use one socket per endpoint`);
    }
    if (!/^wss?:\/\//.test(endpoint)) {
      throw new ZmqError("EINVAL", `a browser socket connects to ws:// or wss:// endpoints, not ${endpoint}`);
    }
    this.endpoint = endpoint;
    this._open();
  }

  /** Closes the socket: pending calls reject with ENOTSOCK, unsent messages are dropped. */
  close() {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this._timer);
    const conn = this._conn;
    this._conn = null;
    if (conn) {
      conn.ended("socket closed");
      conn.close();
    }
    this._rejectAll(new ZmqError("ENOTSOCK", "the socket is closed"));
    this._emit("close");
  }

  /** Listens to `connect`, `disconnect`, `error` or `close`; returns a function that stops it. */
  on(event, listener) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(listener);
    return () => this._listeners.get(event)?.delete(listener);
  }

  /** True while a peer is connected and its handshake is done. */
  get connected() {
    return this._conn !== null && this._conn.ready;
  }

  // -- sending ----------------------------------------------------------------------------

  /**
   * Sends a message: a frame, or an array of frames (multipart). Resolves once the message is
   * handed to the WebSocket; while the socket is disconnected it waits (a PUB drops instead).
   */
  send(message) {
    try {
      this._checkOpen();
      if (!CAN_SEND.has(this.type)) {
        throw new ZmqError("ENOTSUP", `a ${this.type} socket cannot send`);
      }
      let frames = (Array.isArray(message) ? message : [message]).map(toBytes);
      if (frames.length === 0) throw new ZmqError("EINVAL", "a message has at least one frame");
      if (this.type === "CLIENT" && frames.length > 1) {
        throw new ZmqError("EINVAL", "a CLIENT socket sends single-frame messages (RFC 41)");
      }
      if (this.type === "REQ") {
        if (this._reqState !== "send") {
          throw new ZmqError("EFSM", "a REQ socket must receive the reply before sending again");
        }
        this._reqState = "sent";
        frames = [new Uint8Array(0), ...frames];
      } else if (this.type === "REP") {
        if (this._reqState !== "reply") {
          throw new ZmqError("EFSM", "a REP socket must receive a request before it replies");
        }
        this._reqState = "receive";
        const envelope = this._envelope;
        const conn = this._envelopeConn;
        this._envelope = this._envelopeConn = null;
        // The reply goes back on the connection that brought the request, or nowhere.
        if (conn === this._conn && conn?.ready) conn.write([...envelope, ...frames]);
        this._deliver();
        return Promise.resolve();
      } else if (this.type === "ROUTER") {
        return this._routerSend(frames);
      } else if (this.type === "PUB") {
        this._publish(frames);
        return Promise.resolve();
      }
      return this._queue(frames);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  _queue(frames) {
    return new Promise((resolve, reject) => {
      const entry = { frames, resolve, reject, timer: null };
      const timeout = this.options.sendTimeout;
      if (timeout >= 0) {
        entry.timer = setTimeout(() => {
          const at = this._outbox.indexOf(entry);
          if (at >= 0) this._outbox.splice(at, 1);
          if (this.type === "REQ") this._reqState = "send";
          reject(new ZmqError("EAGAIN", `not sent within sendTimeout (${timeout} ms): no peer`));
        }, timeout);
      }
      this._outbox.push(entry);
      this._flush();
    });
  }

  _flush() {
    const conn = this._conn;
    if (!conn || !conn.ready) return;
    while (this._outbox.length) {
      const entry = this._outbox.shift();
      clearTimeout(entry.timer);
      conn.write(entry.frames);
      if (this.type === "REQ") this._reqState = "wait";
      entry.resolve();
    }
  }

  _routerSend(frames) {
    if (frames.length < 2) {
      throw new ZmqError("EINVAL", "a ROUTER message starts with the peer's routing id, then the body");
    }
    const conn = this._conn;
    // Unroutable messages are dropped, as libzmq's ROUTER does without ROUTER_MANDATORY.
    if (conn?.ready && this._peerId && equalBytes(frames[0], this._peerId)) {
      conn.write(frames.slice(1));
    }
    return Promise.resolve();
  }

  _publish(frames) {
    const conn = this._conn;
    if (!conn?.ready) return; // no subscriber: a PUB drops (RFC 29)
    if (this._peerTopics.some((topic) => startsWith(frames[0], topic))) conn.write(frames);
  }

  // -- receiving --------------------------------------------------------------------------

  /** Resolves with the next message, its frames as Uint8Arrays. */
  receive() {
    try {
      this._checkOpen();
      if (!CAN_RECEIVE.has(this.type)) {
        throw new ZmqError("ENOTSUP", `a ${this.type} socket cannot receive`);
      }
      if (this.type === "REQ" && this._reqState === "send") {
        throw new ZmqError("EFSM", "a REQ socket must send a request before it receives");
      }
      if (this.type === "REP" && this._reqState === "reply") {
        throw new ZmqError("EFSM", "a REP socket must reply before it receives the next request");
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: null };
      const timeout = this.options.receiveTimeout;
      if (timeout >= 0) {
        waiter.timer = setTimeout(() => {
          const at = this._waiters.indexOf(waiter);
          if (at >= 0) this._waiters.splice(at, 1);
          reject(new ZmqError("EAGAIN", `no message within receiveTimeout (${timeout} ms)`));
        }, timeout);
      }
      this._waiters.push(waiter);
      this._deliver();
    });
  }

  /** Every message received, until the socket closes: `for await (const msg of socket)`. */
  async *[Symbol.asyncIterator]() {
    while (this.state !== "closed") {
      try {
        yield await this.receive();
      } catch (err) {
        if (err instanceof ZmqError && err.code === "ENOTSOCK") return;
        throw err;
      }
    }
  }

  _deliver() {
    while (this._waiters.length && this._inbox.length) {
      if (this.type === "REP" && this._reqState === "reply") return;
      const waiter = this._waiters.shift();
      clearTimeout(waiter.timer);
      const { frames, conn } = this._inbox.shift();
      if (this.type === "REP") {
        const at = frames.findIndex((f) => f.length === 0);
        this._envelope = frames.slice(0, at + 1);
        this._envelopeConn = conn;
        this._reqState = "reply";
        waiter.resolve(frames.slice(at + 1));
      } else {
        if (this.type === "REQ") this._reqState = "send";
        waiter.resolve(frames);
      }
    }
  }

  // -- SUB --------------------------------------------------------------------------------

  /** SUB: receive messages whose first frame starts with `topic` ("" = everything). */
  subscribe(topic = "") {
    this._subscription(true, toBytes(topic));
  }

  /** SUB: undo one subscribe(topic). */
  unsubscribe(topic = "") {
    this._subscription(false, toBytes(topic));
  }

  _subscription(on, topic) {
    this._checkOpen();
    if (this.type !== "SUB") throw new ZmqError("ENOTSUP", `a ${this.type} socket has no subscriptions`);
    const key = hex(topic);
    const entry = this._subscriptions.get(key);
    if (on) {
      if (entry) return void entry[1]++;
      this._subscriptions.set(key, [topic.slice(), 1]);
    } else {
      if (!entry) return;
      if (--entry[1] > 0) return;
      this._subscriptions.delete(key);
    }
    if (this._conn?.ready) this._conn.write([concat([Uint8Array.of(on ? 1 : 0), topic])]);
  }

  // -- from the connection ----------------------------------------------------------------

  connectionReady(conn) {
    if (conn !== this._conn) return;
    this._ivl = this.options.reconnectIvl;
    this.state = "connected";
    this.lastError = null;
    if (this.type === "ROUTER") {
      if (conn.peerId.length) {
        this._peerId = conn.peerId.slice();
      } else {
        this._routerSeq = (this._routerSeq + 1) >>> 0;
        this._peerId = new Uint8Array(5);
        new DataView(this._peerId.buffer).setUint32(1, this._routerSeq);
      }
    }
    if (this.type === "SUB") {
      for (const [topic] of this._subscriptions.values()) conn.write([concat([Uint8Array.of(1), topic])]);
    }
    this._emit("connect", { endpoint: this.endpoint, peerType: conn.peerType });
    this._flush();
  }

  peerMessage(conn, frames) {
    if (conn !== this._conn) return;
    const type = this.type;
    if (type === "PUB") {
      // Subscriptions arrive as messages: 0x01 topic or 0x00 topic (RFC 45, RFC 29).
      const first = frames[0];
      if (frames.length === 1 && first.length && first[0] <= 1) {
        this.peerSubscription(first[0] === 1, first.subarray(1));
      }
      return;
    }
    if (type === "SUB") {
      let wanted = false;
      for (const [topic] of this._subscriptions.values()) {
        if (startsWith(frames[0], topic)) {
          wanted = true;
          break;
        }
      }
      if (!wanted || this._inbox.length >= this.options.highWaterMark) return;
    } else if (type === "REQ") {
      // A reply is an empty delimiter then the body (RFC 28); anything else is dropped.
      if (this._reqState !== "wait" || frames.length < 2 || frames[0].length !== 0) return;
      frames = frames.slice(1);
    } else if (type === "REP") {
      if (!frames.some((f) => f.length === 0)) return; // no envelope delimiter: not a request
    } else if (type === "ROUTER") {
      frames = [this._peerId.slice(), ...frames];
    } else if (type === "CLIENT" && frames.length > 1) {
      return;
    }
    this._inbox.push({ frames, conn });
    this._deliver();
  }

  peerSubscription(on, topic) {
    if (this.type !== "PUB") return;
    if (on) {
      this._peerTopics.push(topic.slice());
    } else {
      const at = this._peerTopics.findIndex((t) => equalBytes(t, topic));
      if (at >= 0) this._peerTopics.splice(at, 1);
    }
  }

  connectionError(conn, error, final) {
    if (conn !== this._conn) return;
    this.lastError = error;
    if (final && !this.options.reconnectAfterAuthFailure) {
      this.state = "refused";
      this._rejectAll(error);
    }
    this._emit("error", error);
  }

  connectionEnded(conn, reason) {
    if (conn !== this._conn) return;
    const wasReady = conn.ready;
    this._conn = null;
    this._peerTopics = [];
    if (this.type === "REQ" && this._reqState === "wait") {
      // The request went down with the connection: the reply will not come (libzmq would
      // wait forever). The page may send again.
      this._reqState = "send";
      const err = new ZmqError("ECONNRESET", "the connection dropped before the reply came: send the request again");
      for (const waiter of this._waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(err);
      }
    }
    if (wasReady) this._emit("disconnect", { endpoint: this.endpoint, reason });
    if (this.state === "closed" || this.state === "refused") return;
    this.state = "connecting";
    const delay = this._ivl;
    this._ivl = Math.min(this._ivl * 2, Math.max(this.options.reconnectIvlMax, this.options.reconnectIvl));
    this._timer = setTimeout(() => this._open(), delay);
  }

  // -- internals --------------------------------------------------------------------------

  _open() {
    if (this.state === "closed" || this.state === "refused") return;
    this.state = "connecting";
    try {
      this._conn = new Connection(this, this.endpoint);
    } catch (err) {
      // A malformed URL (SyntaxError from the WebSocket constructor), no WebSocket at all.
      err = err instanceof ZmqError ? err : new ZmqError("EINVAL", `cannot connect to ${this.endpoint}: ${err.message}`);
      this.lastError = err;
      this._conn = null;
      this._emit("error", err);
      this.state = "refused";
      this._rejectAll(err);
    }
  }

  _checkOpen() {
    if (this.state === "closed") throw new ZmqError("ENOTSOCK", "the socket is closed");
    if (this.state === "refused" && this.lastError) throw this.lastError;
  }

  _rejectAll(error) {
    for (const entry of this._outbox.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    for (const waiter of this._waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  _emit(event, detail) {
    for (const listener of this._listeners.get(event) ?? []) {
      try {
        listener(detail);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}

/** Shorthand: a socket of `type`, connected to `endpoint`. */
export function connect(type, endpoint, options = {}) {
  const socket = new Socket(type, options);
  socket.connect(endpoint);
  return socket;
}
