// The JavaScript side of the browser-module tests: one socket of zmq.js playing a role, the
// same code under Node and in Chromium. The roles and messages mirror
// tests/interop/libzmq434/peer.py, so either side can be libzmq's or purezmq's.
//
//   echo     REP/ROUTER/CLIENT... answer each message with itself
//   request  REQ/DEALER/CLIENT: send req-i (+ padding frame) and check the echo
//   send     PUSH: msg-i + padding;  recv: PULL checks them, SUB checks the topic "t"
//   publish  PUB: t-i messages (and "other topic") until stop() says so

const dec = new TextDecoder();
const pad = (ch, n) => ch.repeat(n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stops = new Map();

export function stop(id) {
  stops.set(id, true);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

function same(got, want) {
  return got.length === want.length && got.every((f, i) => dec.decode(f) === want[i]);
}

export async function run(zmq, args) {
  const { id, type, endpoint, role, count = 5 } = args;
  const options = { receiveTimeout: args.timeout ?? 10000, reconnectIvl: 50, reconnectIvlMax: 500 };
  if (args.username !== undefined) options.username = args.username;
  if (args.password !== undefined) options.password = args.password;
  const sock = new zmq.Socket(type, options);
  const events = [];
  sock.on("connect", (e) => events.push(`connect ${e.peerType}`));
  sock.on("disconnect", () => events.push("disconnect"));
  sock.on("error", (e) => events.push(`error ${e.code} ${e.message}`));
  try {
    if (type === "SUB") sock.subscribe("t");
    sock.connect(endpoint);
    const single = type === "CLIENT";
    if (role === "echo") {
      for (let i = 0; i < count; i++) await sock.send(await sock.receive());
    } else if (role === "request") {
      const envelope = type === "DEALER" ? [""] : [];
      for (let i = 0; i < count; i++) {
        const msg = single ? [`req-${i}`] : [`req-${i}`, pad("x", i * 100)];
        await sock.send([...envelope, ...msg]);
        const reply = await sock.receive();
        check(same(reply, [...envelope, ...msg]), `reply ${i}: ${reply.map((f) => dec.decode(f))}`);
      }
    } else if (role === "send") {
      for (let i = 0; i < count; i++) await sock.send([`msg-${i}`, pad("y", i * 100)]);
      // A sent message is handed to the WebSocket: let it drain before closing.
      await sleep(200);
    } else if (role === "recv") {
      for (let i = 0; i < count; i++) {
        const msg = await sock.receive();
        if (type === "SUB") check(dec.decode(msg[0]).startsWith("t"), `topic: ${dec.decode(msg[0])}`);
        else check(same(msg, [`msg-${i}`, pad("y", i * 100)]), `message ${i}`);
      }
    } else if (role === "publish") {
      for (let i = 0; !stops.get(id); i++) {
        await sock.send([`t-${i}`, pad("z", 10)]);
        await sock.send("other topic");
        await sleep(20);
      }
    } else if (role === "restart") {
      // REQ across a server restart: ask until an answer comes, COUNT times in a row with a
      // server that goes away in between (ECONNRESET says the request went down).
      const answers = [];
      for (let i = 0; i < count; i++) {
        for (;;) {
          await sock.send(`ask-${i}`);
          try {
            answers.push(dec.decode((await sock.receive())[0]));
            break;
          } catch (err) {
            if (err.code !== "ECONNRESET" && err.code !== "EAGAIN") throw err;
            events.push(`retry ${err.code}`);
          }
        }
      }
      return { ok: true, answers, events };
    } else if (role === "resubscribe") {
      // SUB across a publisher restart: a message from the first server, then one that came
      // after the disconnect, which needs the subscription sent again.
      let disconnected = false;
      sock.on("disconnect", () => (disconnected = true));
      await sock.receive();
      do await sock.receive();
      while (!disconnected);
      return { ok: true, events };
    } else if (role === "refused") {
      // PLAIN with a password the server refuses: the refusal reaches the page.
      try {
        await sock.send("hello"); // waits for the handshake, which the server refuses
        await sock.receive();
        return { ok: false, error: "received a message" };
      } catch (err) {
        return { ok: true, code: err.code, message: err.message, state: sock.state, events };
      }
    } else {
      throw new Error(`unknown role ${role}`);
    }
    return { ok: true, events };
  } catch (err) {
    return { ok: false, error: `${err.code ?? ""} ${err.message}`, events };
  } finally {
    sock.close();
    stops.delete(id);
  }
}

