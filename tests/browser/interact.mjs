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

  // What a reader sees, not what the script set: an entry counts as shown when the
  // browser renders it (checkVisibility) and it takes room on the page.
  const seen = (selector) => page.$$eval(selector, (els) => els.map((el) => ({
    id: el.id,
    visible: el.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
    height: el.getBoundingClientRect().height,
  })));
  const shown = (found) => found.filter((el) => el.visible && el.height > 0).map((el) => el.id);
  await page.goto(base + config.catalogue, { waitUntil: "load" });
  const before = await seen(".entry");
  result.entries = before.length;
  result.before = shown(before).length;
  // A page load would drop this mark; the filter's pushState (its state in the address) keeps it.
  await page.evaluate(() => { window.stayed = true; });
  // Author and keyword filters are folded away (no tag cloud above the briefs): open them.
  await page.$$eval("details.facet", (els) => els.forEach((el) => { el.open = true; }));
  await page.click(`a[data-filter="${config.filter}"]`);
  const after = await seen(".entry");
  result.after = shown(after);
  // Every entry filtered out takes no room at all, and neither does a series left empty.
  result.hiddenHeights = after.filter((el) => !result.after.includes(el.id)).map((el) => el.height);
  result.series = await page.$$eval(".series", (els) => els.length);
  result.emptySeries = await page.$$eval(".series", (els) => {
    const rendered = (el) => el.checkVisibility() && el.getBoundingClientRect().height > 0;
    return els.filter((el) => ![...el.querySelectorAll(".entry")].some(rendered)).map(rendered);
  });
  result.navigated = !(await page.evaluate(() => window.stayed === true));
  result.address = page.url();
  result.current = await page.$eval("a[aria-current]:not([data-filter=''])", (el) => el.dataset.filter);
  // Without JavaScript the same link is a static page listing the same briefs.
  await page.goto(base + config.catalogue.replace(/[^/]*$/, "") + `by/${config.filter}.html`, { waitUntil: "load" });
  result.staticPage = await page.$$eval(".entry", (els) => els.map((el) => el.id));
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(result));
