// A jszmq (npm) socket for the interop tests, the roles of libzmq434/peer.py:
//   node jszmq_peer.cjs TYPE (bind|connect) ENDPOINT ROLE COUNT
// prints "READY <endpoint>" once bound or connecting, then "OK" when its role is done (a
// publisher publishes until a line arrives on stdin), or an error and exit 1.
// jszmq is found in $PUREZMQ_BROWSER_CACHE (tests/interop/browser/setup.sh installs it).
const path = require("node:path");
const os = require("node:os");
const cache = process.env.PUREZMQ_BROWSER_CACHE || path.join(os.homedir(), ".cache/purezmq/browser");
const zmq = require(require.resolve("jszmq", { paths: [cache] }));

const [type, side, endpoint, role, countText] = process.argv.slice(2);
const count = Number(countText);
const sock = zmq.socket(type.toLowerCase());
const timer = setTimeout(() => fail(new Error("timed out")), 20000);

function fail(err) {
  console.error(err && err.stack || err);
  process.exit(1);
}
function done() {
  clearTimeout(timer);
  console.log("OK");
  sock.close();
  setTimeout(() => process.exit(0), 100);
}
function check(cond, what) {
  if (!cond) fail(new Error(what));
}
const text = (frames) => frames.map((f) => f.toString("utf8"));
const same = (got, want) => got.length === want.length && got.every((f, i) => f === want[i]);

if (side === "bind") sock.bind(endpoint);
else sock.connect(endpoint);
if (role === "recv" && type === "SUB") sock.subscribe("t");
console.log("READY", endpoint);

let n = 0;
if (role === "echo") {
  sock.on("message", (...frames) => {
    sock.send(frames);
    if (++n === count) setTimeout(done, 200);
  });
} else if (role === "request") {
  const envelope = type === "DEALER" ? [""] : [];
  const ask = () => sock.send([...envelope, `req-${n}`, "x".repeat(n * 100)]);
  sock.on("message", (...frames) => {
    const want = [...envelope, `req-${n}`, "x".repeat(n * 100)];
    check(same(text(frames), want), `reply ${n}: ${text(frames)}`);
    if (++n === count) done();
    else ask();
  });
  ask();
} else if (role === "send") {
  for (let i = 0; i < count; i++) sock.send([`msg-${i}`, "y".repeat(i * 100)]);
  // jszmq queues until connected; give the frames time to leave before closing.
  process.stdin.once("data", done);
} else if (role === "recv") {
  sock.on("message", (...frames) => {
    const got = text(frames);
    if (type === "SUB") check(got[0].startsWith("t"), `topic ${got[0]}`);
    else check(same(got, [`msg-${n}`, "y".repeat(n * 100)]), `message ${n}: ${got[0]}`);
    if (++n === count) done();
  });
} else if (role === "publish") {
  const tick = setInterval(() => {
    sock.send([`t-${n++}`, "z".repeat(10)]);
    sock.send("other topic");
  }, 20);
  process.stdin.once("data", () => {
    clearInterval(tick);
    done();
  });
} else {
  fail(new Error(`unknown role ${role}`));
}
