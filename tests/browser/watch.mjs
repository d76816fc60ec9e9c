// Opens the `briefpress watch` page in headless Chromium, edits the brief on disk
// and waits until the page shows the edit by itself (no reload from here).
// Usage: node watch.mjs URL BRIEF_FILE OLD_TEXT NEW_TEXT PROFILE_DIR
import { readFileSync, writeFileSync } from "node:fs";
import { launch } from "./harness.mjs";

const [url, file, oldText, newText, profile] = process.argv.slice(2);
const browser = await launch(profile);
let result;
try {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "load" });
  const before = await page.evaluate(() => document.title);
  let navigations = 0;
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  const edited = readFileSync(file, "utf8").replace(oldText, newText);
  // The page polls the server and reloads itself; wait for the new title in it.
  // The file is written again every 10 s, in case the watcher was not yet watching.
  const shown = (text) => {
    const frame = document.querySelector("iframe");
    const inner = frame && frame.contentDocument && frame.contentDocument.body;
    return document.title.includes(text) && inner && inner.textContent.includes(text);
  };
  for (let attempt = 1; ; attempt += 1) {
    writeFileSync(file, edited);
    try {
      await page.waitForFunction(shown, { timeout: 10000, polling: 200 }, newText);
      break;
    } catch (error) {
      if (attempt >= 12) throw error;
    }
  }
  const after = await page.evaluate(() => document.title);
  const frameText = await page.evaluate(() => {
    const frame = document.querySelector("iframe");
    return frame && frame.contentDocument ? frame.contentDocument.body.textContent : "";
  });
  result = { before, after, selfReloads: navigations, frameHasEdit: frameText.includes(newText) };
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
