// Compiled (never run) by tests/interop/test_zmqjs_types.py with `tsc --noEmit --strict`:
// zmq.d.ts must type what docs/browser.md shows, and reject what it must.
import { Socket, ZmqError, connect, text, toBytes, type SocketType } from "./zmq.js";

async function usage(): Promise<string> {
  const req = new Socket("REQ", { username: "admin", password: "secret", reconnectIvl: 50 });
  req.connect("ws://127.0.0.1:5555");
  const off = req.on("connect", (e) => console.log(e.endpoint, e.peerType));
  req.on("error", (err: ZmqError) => console.log(err.code === "EACCES", err.message));
  req.on("disconnect", ({ reason }) => console.log(reason));
  off();
  await req.send(["a", new Uint8Array([1, 2]), new ArrayBuffer(3)]);
  const frames: Uint8Array[] = await req.receive();
  const sub = connect("SUB", "ws://127.0.0.1:5556");
  sub.subscribe("topic");
  for await (const [topic, body] of sub) console.log(text(topic), toBytes(body).length);
  const kind: SocketType = req.type;
  const state: "idle" | "connecting" | "connected" | "refused" | "closed" = req.state;
  req.close();
  return text(frames[0]) + kind + state + String(req.connected) + String(req.lastError?.code);
}

// @ts-expect-error PAIR is not a type zmq.js has
new Socket("PAIR");
// @ts-expect-error a number is not a frame
void new Socket("PUSH").send(42);
// @ts-expect-error no such event
new Socket("PUSH").on("message", () => {});

export { usage };
