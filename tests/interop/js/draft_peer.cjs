// One side of a draft-socket exchange, driven by tests/interop/test_zeromqjs_draft.py.
// Usage: node draft_peer.cjs ROLE bind|connect ENDPOINT [COUNT]
// Prints "ENDPOINT <address>" once bound/connected, then one JSON line per message it got.
"use strict"
const draft = require("zeromq/draft")
const native = require("zeromq/lib/native")
const util = require("zeromq/lib/util")

// zeromq.js has no PEER or CHANNEL class; its native socket takes any type number. Options
// objects are refused for such sockets: LINGER (17) is set by number.
function rawSocket(type) {
  class Raw extends native.Socket {
    constructor() {
      super(type)
      this.setInt32Option(17, 0)
    }
  }
  util.allowMethods(Raw.prototype, ["send", "receive"])
  return new Raw()
}

const [role, how, endpoint, countArg] = process.argv.slice(2)
const count = Number(countArg || 5)
const out = obj => process.stdout.write(JSON.stringify(obj) + "\n")
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function place(sock) {
  if (how === "bind") {
    await sock.bind(endpoint)
    out({endpoint: sock.getStringOption(32)})  // ZMQ_LAST_ENDPOINT
  } else {
    sock.connect(endpoint)
    out({endpoint})
  }
}

const roles = {
  // Answers each request with "re " + request, to the routing id it came from.
  async server() {
    const sock = new draft.Server({linger: 0})
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg, {routingId}] = await sock.receive()
      out({body: msg.toString(), routingId})
      await sock.send("re " + msg.toString(), {routingId})
    }
    sock.close()
  },
  // Sends count requests, reads the replies.
  async client() {
    const sock = new draft.Client({linger: 0})
    await place(sock)
    for (let i = 0; i < count; i++) await sock.send(`hello ${i}`)
    for (let i = 0; i < count; i++) {
      const [msg] = await sock.receive()
      out({body: msg.toString()})
    }
    sock.close()
  },
  // Publishes "sport", "weather" and a 255-byte group until count "weather" messages reach the peer: it keeps
  // going until stdin closes (the test has what it needs).
  async radio() {
    const sock = new draft.Radio({linger: 0})
    await place(sock)
    let open = true
    process.stdin.on("end", () => { open = false })
    process.stdin.resume()
    for (let i = 0; open; i++) {
      await sock.send(`sport ${i}`, {group: "sport"})
      await sock.send(`sunny ${i}`, {group: "weather"})
      await sock.send(`long ${i}`, {group: "L".repeat(255)})  // ZMQ_GROUP_MAX_LENGTH
      await sleep(5)
    }
    sock.close()
  },
  // Joins "weather" and a 255-byte group (and "news", then leaves it), reports count messages with their group.
  async dish() {
    const sock = new draft.Dish({linger: 0})
    sock.join("weather", "news", "L".repeat(255))
    sock.leave("news")
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg, {group}] = await sock.receive()
      out({body: msg.toString(), group: group.toString()})
    }
    sock.close()
  },
  // The dish above for udp://: libzmq 4.3.5's udp engine reads the group length byte as a
  // signed char, so a datagram with a group longer than 127 bytes aborts it ("Cannot allocate
  // memory", udp_engine.cpp). Its long group is the longest it survives.
  async udp_dish() {
    const sock = new draft.Dish({linger: 0})
    sock.join("weather", "news", "L".repeat(127))
    sock.leave("news")
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg, {group}] = await sock.receive()
      out({body: msg.toString(), group: group.toString()})
    }
    sock.close()
  },
  // SERVER with HELLO_MSG (110) and DISCONNECT_MSG (111): reports the first count messages
  // (the peer's hello, then what it sends, then our disconnect message when it goes).
  async server_notices() {
    const sock = new draft.Server({linger: 0})
    sock.setStringOption(110, "hello from libzmq")
    sock.setStringOption(111, "gone")
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg, {routingId}] = await sock.receive()
      out({body: msg.toString(), routingId})
    }
    sock.close()
  },
  // CLIENT: reports the first message it gets (the peer's HELLO_MSG), says "bye" and leaves.
  async client_hello() {
    const sock = new draft.Client({linger: -1})
    await place(sock)
    const [msg] = await sock.receive()
    out({body: msg.toString()})
    await sock.send("bye")
    sock.close()
  },
  // PEER (19): reports what arrives. zeromq.js gives routing ids (and takes them on send)
  // for its Server class only, so this side cannot answer.
  async peer() {
    const sock = rawSocket(19)
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg] = await sock.receive()
      out({body: msg.toString()})
    }
    sock.close()
  },
  // CHANNEL (20): echoes each message with "re " in front.
  async channel() {
    const sock = rawSocket(20)
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg] = await sock.receive()
      out({body: msg.toString()})
      await sock.send("re " + msg.toString())
    }
    sock.close()
  },
  async scatter() {
    // LINGER -1: closing waits until every part is delivered, however slow the connection.
    const sock = new draft.Scatter({linger: -1})
    await place(sock)
    for (let i = 0; i < count; i++) await sock.send(`part ${i}`)
    out({sent: count})
    // Stay until the test has every part (it then closes stdin): process.exit right after
    // close() ends libzmq's I/O thread before it has written what LINGER should deliver.
    await new Promise(resolve => { process.stdin.on("end", resolve); process.stdin.resume() })
    sock.close()
  },
  async gather() {
    const sock = new draft.Gather({linger: 0})
    await place(sock)
    for (let i = 0; i < count; i++) {
      const [msg] = await sock.receive()
      out({body: msg.toString()})
    }
    sock.close()
  },
}

roles[role]().then(
  () => process.exit(0),
  err => { process.stderr.write(String(err && err.stack || err) + "\n"); process.exit(1) },
)
