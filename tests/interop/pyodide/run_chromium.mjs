// Opens page.html in headless Chromium (Debian's, driven by playwright-core) and prints
// RESULT <json> once the page has run its jobs.
//
//   node run_chromium.mjs URL USER_DATA_DIR [CHROMIUM]
import { chromium } from "playwright-core";

const [url, userDataDir, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await context.newPage();
  page.on("console", (msg) => console.error("console:", msg.text()));
  page.on("pageerror", (err) => console.error("pageerror:", err.message));
  await page.goto(url);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 180000 });
  console.log("RESULT " + (await page.evaluate(() => window.result)));
} finally {
  await context.close();
}
