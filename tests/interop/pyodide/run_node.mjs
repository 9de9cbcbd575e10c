// Runs scenario.py's jobs in Pyodide under Node: purezmq's source is mounted from the
// worktree (NODEFS), the WebSocket is Node's global one (node --experimental-websocket on
// Node 20) or else the npm package ws.
//
//   node run_node.mjs SRC_DIR JOBS_JSON      prints RESULT <json> on success
import { loadPyodide } from "pyodide";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

const [srcDir, jobsJson] = process.argv.slice(2);
if (typeof globalThis.WebSocket === "undefined") {
  const { WebSocket } = await import("ws");
  globalThis.WebSocket = WebSocket;
}
const here = dirname(fileURLToPath(import.meta.url));
const py = await loadPyodide();
py.FS.mkdirTree("/purezmq_src");
py.FS.mount(py.FS.filesystems.NODEFS, { root: srcDir }, "/purezmq_src");
py.FS.mkdirTree("/scenario");
py.FS.writeFile("/scenario/scenario.py", readFileSync(join(here, "scenario.py")));
py.runPython("import sys; sys.dont_write_bytecode = True; sys.path[:0] = ['/purezmq_src', '/scenario']");
const scenario = py.pyimport("scenario");
const result = await scenario.run_jobs(py.toPy(JSON.parse(jobsJson)));
console.log("RESULT " + result);
process.exit(0);
