// Drives zmq.js for the Python tests, under Node or in headless Chromium (playwright-core).
// Reads JSON commands on stdin, one a line, and answers each with a JSON line {id, ...}:
//
//   {"id": 1, "op": "run", "args": {...}}     a role of roles.mjs; answers with its result
//   {"id": 2, "op": "stop", "target": 1}       ends a "publish" role
//   chromium only, for the demo page: goto {url}, waitFor {expr}, eval {expr},
//   fill {selector, value}, click {selector}, screenshot {path}
//
//   node --experimental-websocket driver.mjs node ZMQ_JS_URL
//   node driver.mjs node-ws ZMQ_JS_URL             (npm ws as options.WebSocket)
//   node driver.mjs chromium PAGE_URL              (PAGE_URL serves test.html)
// A "ready" line is printed first. NODE_PATH-style lookup: $PUREZMQ_BROWSER_CACHE.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import readline from "node:readline";
import path from "node:path";
import os from "node:os";
import fs from "node:fs";

const [mode, target] = process.argv.slice(2);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

let runRole, stopRole, page, browser;
if (mode === "node" || mode === "node-ws") {
  if (mode === "node-ws") {
    // zmq.js on npm ws, passed in as options.WebSocket (what Node 20 users do).
    const cache = process.env.PUREZMQ_BROWSER_CACHE || path.join(os.homedir(), ".cache/purezmq/browser");
    const WebSocket = createRequire(path.join(cache, "package.json"))("ws");
    const real = await import(target);
    class Socket extends real.Socket {
      constructor(type, options = {}) {
        super(type, { WebSocket, ...options });
      }
    }
    var zmq = { ...real, Socket };
  } else {
    var zmq = await import(target);
  }
  const roles = await import(pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname), "roles.mjs")));
  runRole = (args) => roles.run(zmq, args);
  stopRole = (id) => roles.stop(id);
} else {
  const cache = process.env.PUREZMQ_BROWSER_CACHE || path.join(os.homedir(), ".cache/purezmq/browser");
  const require = createRequire(path.join(cache, "package.json"));
  const { chromium } = require("playwright-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "purezmq-chromium-"));
  // A new empty profile each run; playwright takes it as the persistent context's directory.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PUREZMQ_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1000, height: 760 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  process.on("exit", () => fs.rmSync(profile, { recursive: true, force: true }));
  const context = browser;
  page = await context.newPage();
  page.on("pageerror", (err) => process.stderr.write(`page error: ${err}\n`));
  page.on("console", (msg) => process.stderr.write(`page console: ${msg.text()}\n`));
  await page.goto(target);
  if (target.endsWith("/test.html")) await page.waitForFunction(() => window.roles !== undefined);
  runRole = (args) => page.evaluate((a) => window.roles.run(window.zmq, a), args);
  stopRole = (id) => page.evaluate((i) => window.roles.stop(i), id);
}

async function handle(cmd) {
  const { id, op } = cmd;
  try {
    if (op === "run") return out({ id, ...(await runRole({ ...cmd.args, id })) });
    if (op === "stop") return out({ id, ok: true, stopped: await stopRole(cmd.target) });
    if (op === "goto") return out({ id, ok: !!(await page.goto(cmd.url)) });
    if (op === "waitFor") {
      await page.waitForFunction(cmd.expr, null, { timeout: cmd.timeout ?? 10000 });
      return out({ id, ok: true });
    }
    if (op === "eval") return out({ id, ok: true, value: await page.evaluate(cmd.expr) });
    if (op === "fill") return out({ id, ok: true, value: await page.fill(cmd.selector, cmd.value) });
    if (op === "click") return out({ id, ok: true, value: await page.click(cmd.selector) });
    if (op === "screenshot") {
      await page.screenshot({ path: cmd.path, fullPage: true });
      return out({ id, ok: true });
    }
    out({ id, ok: false, error: `unknown op ${op}` });
  } catch (err) {
    out({ id, ok: false, error: String(err && err.stack || err) });
  }
}

out({ ready: true, mode });
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim()) handle(JSON.parse(line));
}
if (browser) await browser.close();
process.exit(0);
