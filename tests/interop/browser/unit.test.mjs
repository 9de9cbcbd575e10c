// zmq.js against a scripted WebSocket: the exact bytes of each handshake and the API's rules,
// without a server. Run by tests/interop/test_browser_module_unit.py:
//   node --test tests/interop/browser/unit.test.mjs  (ZMQ_JS=file:///.../zmq.js)
import test from "node:test";
import assert from "node:assert/strict";

const zmq = await import(process.env.ZMQ_JS);
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A WebSocket the test plays the server of: `sent` holds what the module wrote. */
class FakeWebSocket {
  static last = null;
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.protocol = "";
    this.closed = false;
    FakeWebSocket.last = this;
  }
  send(data) {
    this.sent.push(Uint8Array.from(data));
  }
  close() {
    this.closed = true;
  }
  accept(protocol) {
    this.protocol = protocol;
    this.onopen?.();
  }
  deliver(flags, body) {
    const b = typeof body === "string" ? enc.encode(body) : body;
    const data = new Uint8Array(b.length + 1);
    data[0] = flags;
    data.set(b, 1);
    this.onmessage?.({ data: data.buffer });
  }
  drop(code = 1006) {
    this.onclose?.({ code, reason: "" });
  }
}

function metadata(props) {
  const parts = [];
  for (const [k, v] of Object.entries(props)) {
    const n = enc.encode(k), val = enc.encode(v);
    parts.push(n.length, ...n, 0, 0, (val.length >> 8) & 255, val.length & 255, ...val);
  }
  return Uint8Array.from(parts);
}
const command = (name, data = new Uint8Array(0)) =>
  Uint8Array.from([name.length, ...enc.encode(name), ...data]);
const frames = (ws) => ws.sent.map((d) => [d[0], dec.decode(d.subarray(1))]);
const tick = () => new Promise((r) => setTimeout(r, 0));
/** Waits (up to a second) until `cond()` holds. */
async function until(cond) {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(cond(), "timed out");
}

function ready(type, peerType, options = {}) {
  const sock = new zmq.Socket(type, { WebSocket: FakeWebSocket, reconnectIvl: 5, ...options });
  sock.connect("ws://example.test:5555/zmq");
  const ws = FakeWebSocket.last;
  ws.accept("ZWS2.0-NULL");
  ws.deliver(2, command("READY", metadata({ "Socket-Type": peerType })));
  return [sock, ws];
}

test("NULL: offers ZWS2.0-NULL then ZWS2.0, sends READY with its Socket-Type", () => {
  const [sock, ws] = ready("DEALER", "ROUTER", { routingId: "me" });
  assert.deepEqual(ws.protocols, ["ZWS2.0-NULL", "ZWS2.0"]);
  assert.equal(ws.url, "ws://example.test:5555/zmq");
  assert.equal(ws.sent[0][0], 0x02);
  assert.deepEqual(ws.sent[0].subarray(1), command("READY", metadata({ "Socket-Type": "DEALER", Identity: "me" })));
  assert.equal(sock.connected, true);
  sock.close();
});

test("ZWS2.0 without mechanism: routing ids first, then messages", async () => {
  const sock = new zmq.Socket("ROUTER", { WebSocket: FakeWebSocket });
  sock.connect("ws://h:1");
  const ws = FakeWebSocket.last;
  ws.accept("ZWS2.0");
  assert.deepEqual(frames(ws), [[0, ""]]);
  ws.deliver(0, "peer-id");
  ws.deliver(1, "");
  ws.deliver(0, "hi");
  const msg = await sock.receive();
  assert.deepEqual(msg.map((f) => dec.decode(f)), ["peer-id", "", "hi"]);
  await sock.send(["peer-id", "", "back"]);
  await sock.send(["someone-else", "dropped"]);
  assert.deepEqual(frames(ws).slice(1), [[1, ""], [0, "back"]]);
  sock.close();
});

test("PLAIN: HELLO with the credentials, INITIATE after WELCOME", () => {
  const sock = new zmq.Socket("REQ", { WebSocket: FakeWebSocket, username: "admin", password: "secret" });
  sock.connect("ws://h:1");
  const ws = FakeWebSocket.last;
  assert.deepEqual(ws.protocols, ["ZWS2.0-PLAIN"]);
  ws.accept("ZWS2.0-PLAIN");
  assert.deepEqual(ws.sent[0], Uint8Array.from([2, 5, ...enc.encode("HELLO"), 5, ...enc.encode("admin"), 6, ...enc.encode("secret")]));
  ws.deliver(2, command("WELCOME"));
  assert.deepEqual(ws.sent[1].subarray(1), command("INITIATE", metadata({ "Socket-Type": "REQ" })));
  ws.deliver(2, command("READY", metadata({ "Socket-Type": "REP" })));
  assert.equal(sock.state, "connected");
  sock.close();
});

test("PLAIN refused by libzmq's mangled ERROR (^RROR): EACCES, no reconnect", async () => {
  const sock = new zmq.Socket("REQ", { WebSocket: FakeWebSocket, username: "u", password: "p", reconnectIvl: 1 });
  const errors = [];
  sock.on("error", (e) => errors.push(e));
  sock.connect("ws://h:1");
  const ws = FakeWebSocket.last;
  const pending = sock.send("hello");
  ws.accept("ZWS2.0-PLAIN");
  ws.deliver(2, Uint8Array.from([...enc.encode("^RROR"), 3, ...enc.encode("400")]));
  await assert.rejects(pending, (e) => e.code === "EACCES" && e.message.includes("400"));
  assert.equal(sock.state, "refused");
  assert.equal(errors.length, 1);
  assert.equal(ws.closed, true);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(FakeWebSocket.last, ws, "no new connection after a refusal");
  await assert.rejects(sock.receive(), (e) => e.code === "EACCES");
  sock.close();
});

test("an incompatible peer type is refused with EPROTO", () => {
  const sock = new zmq.Socket("REQ", { WebSocket: FakeWebSocket, reconnectIvl: 1000 });
  const errors = [];
  sock.on("error", (e) => errors.push(e.code));
  sock.connect("ws://h:1");
  const ws = FakeWebSocket.last;
  ws.accept("ZWS2.0-NULL");
  ws.deliver(2, command("READY", metadata({ "Socket-Type": "PUB" })));
  assert.deepEqual(errors, ["EPROTO"]);
  assert.equal(sock.connected, false);
  sock.close();
});

test("REQ: envelope delimiter, strict turns, ECONNRESET when the connection drops", async () => {
  const [sock, ws] = ready("REQ", "REP");
  await assert.rejects(sock.receive(), (e) => e.code === "EFSM");
  await sock.send(["a", "b"]);
  assert.deepEqual(frames(ws).slice(1), [[1, ""], [1, "a"], [0, "b"]]);
  await assert.rejects(sock.send("again"), (e) => e.code === "EFSM");
  const reply = sock.receive();
  ws.deliver(1, "");
  ws.deliver(0, "r");
  assert.deepEqual((await reply).map((f) => dec.decode(f)), ["r"]);
  await sock.send("second");
  const lost = sock.receive();
  ws.drop();
  await assert.rejects(lost, (e) => e.code === "ECONNRESET");
  await tick();
  const third = sock.send("third"); // allowed again: it waits for the reconnect...
  sock.close();
  await assert.rejects(third, (e) => e.code === "ENOTSOCK"); // ...which close() ends
});

test("REP: answers with the request's envelope", async () => {
  const [sock, ws] = ready("REP", "DEALER");
  ws.deliver(1, "id1");
  ws.deliver(1, "");
  ws.deliver(0, "q");
  assert.deepEqual((await sock.receive()).map((f) => dec.decode(f)), ["q"]);
  await assert.rejects(sock.receive(), (e) => e.code === "EFSM");
  await sock.send("a");
  assert.deepEqual(frames(ws).slice(1), [[1, "id1"], [1, ""], [0, "a"]]);
  sock.close();
});

test("SUB: subscription messages, filtering, resubscribe after reconnect", async () => {
  const sock = new zmq.Socket("SUB", { WebSocket: FakeWebSocket, reconnectIvl: 1 });
  sock.subscribe("news");
  sock.subscribe("news");
  sock.connect("ws://h:1");
  let ws = FakeWebSocket.last;
  ws.accept("ZWS2.0-NULL");
  ws.deliver(2, command("READY", metadata({ "Socket-Type": "PUB" })));
  assert.deepEqual(frames(ws).slice(1), [[0, "\x01news"]]);
  sock.subscribe("x");
  sock.unsubscribe("news"); // still subscribed once
  sock.unsubscribe("x");
  assert.deepEqual(frames(ws).slice(2), [[0, "\x01x"], [0, "\x00x"]]);
  ws.deliver(0, "sport");
  ws.deliver(0, "news today");
  assert.equal(dec.decode((await sock.receive())[0]), "news today");
  await assert.rejects(sock.send("no"), (e) => e.code === "ENOTSUP");
  ws.drop();
  await until(() => FakeWebSocket.last !== ws);
  ws = FakeWebSocket.last;
  ws.accept("ZWS2.0-NULL");
  ws.deliver(2, command("READY", metadata({ "Socket-Type": "XPUB" })));
  assert.deepEqual(frames(ws).slice(1), [[0, "\x01news"]]);
  sock.close();
});

test("PUB: sends only what the peer subscribed to, drops while disconnected", async () => {
  const [sock, ws] = ready("PUB", "SUB");
  await sock.send("early");
  ws.deliver(0, "\x01a");
  await sock.send(["abc", "1"]);
  await sock.send("xyz");
  ws.deliver(0, "\x00a");
  await sock.send("abd");
  assert.deepEqual(frames(ws).slice(1), [[1, "abc"], [0, "1"]]);
  sock.close();
});

test("CLIENT: single frames only", async () => {
  const [sock] = ready("CLIENT", "SERVER");
  await assert.rejects(sock.send(["a", "b"]), (e) => e.code === "EINVAL");
  sock.close();
});

test("timeouts, close, and the async iterator", async () => {
  const sock = new zmq.Socket("DEALER", { WebSocket: FakeWebSocket, receiveTimeout: 10, sendTimeout: 10 });
  sock.connect("ws://h:1");
  await assert.rejects(sock.receive(), (e) => e.code === "EAGAIN");
  await assert.rejects(sock.send("x"), (e) => e.code === "EAGAIN");
  const ws = FakeWebSocket.last;
  ws.accept("ZWS2.0-NULL");
  ws.deliver(2, command("READY", metadata({ "Socket-Type": "ROUTER" })));
  const seen = [];
  const loop = (async () => {
    for await (const [f] of sock) seen.push(dec.decode(f));
  })();
  ws.deliver(0, "one");
  ws.deliver(0, "two");
  await tick();
  sock.close();
  await loop;
  assert.deepEqual(seen, ["one", "two"]);
  await assert.rejects(sock.send("x"), (e) => e.code === "ENOTSOCK");
});

test("bad arguments raise EINVAL", () => {
  assert.throws(() => new zmq.Socket("PAIR"), (e) => e.code === "EINVAL");
  const sock = new zmq.Socket("PUSH", { WebSocket: FakeWebSocket });
  assert.throws(() => sock.connect("tcp://h:1"), (e) => e.code === "EINVAL");
  sock.connect("ws://h:1");
  assert.throws(() => sock.connect("ws://h:2"), (e) => e.code === "EINVAL");
  sock.close();
});
