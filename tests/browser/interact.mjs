// What a reader does with the pages' scripts, in headless Chromium: copy a brief's
// citation with its button, and filter the catalogue in place with a filter link.
// Usage: node interact.mjs '{"root": DIR, "brief": "x/index.html", "catalogue": "index.html",
//                            "filter": "keyword-nato", "profile": DIR}'
import { launch, serve } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile);
const result = {};
try {
  await browser.defaultBrowserContext().overridePermissions(base.slice(0, -1), ["clipboard-read", "clipboard-write", "clipboard-sanitized-write"]);
  const page = await browser.newPage();
  await page.goto(base + config.brief, { waitUntil: "load" });
  await page.click("button[data-copy]");
  await page.waitForFunction(() => document.querySelector(".copied").textContent !== "");
  result.citation = await page.$eval("#citation", (el) => el.textContent.trim());
  result.clipboard = await page.evaluate(() => navigator.clipboard.readText());
  result.copiedStatus = await page.$eval(".copied", (el) => el.textContent);

  await page.goto(base + config.catalogue, { waitUntil: "load" });
  result.before = await page.$$eval(".entry:not([hidden])", (els) => els.length);
  let navigated = false;
  page.on("framenavigated", () => { navigated = true; });
  await page.click(`a[data-filter="${config.filter}"]`);
  result.after = await page.$$eval(".entry:not([hidden])", (els) => els.map((el) => el.id));
  result.navigated = navigated;
  result.current = await page.$eval("a[aria-current]:not([data-filter=''])", (el) => el.dataset.filter);
  // Without JavaScript the same link is a static page listing the same briefs.
  await page.goto(base + config.catalogue.replace(/[^/]*$/, "") + `by/${config.filter}.html`, { waitUntil: "load" });
  result.staticPage = await page.$$eval(".entry", (els) => els.map((el) => el.id));
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(result));
