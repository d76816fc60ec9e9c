// The catalogue as a reader uses it, in headless Chromium at each width: a filter link
// leaves only its briefs on screen (bounding boxes, not attributes) and puts its state
// in the address, which a reload restores; the search box finds briefs by author and
// by keyword. Usage: node catalogue.mjs '{"root": DIR, "catalogue": "index.html",
//   "filter": "keyword-nato", "searches": ["Pejsova", "semiconductors"], "widths": [375, 1280],
//   "profile": DIR}'
import { launch, serve } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile);
const results = [];
try {
  const page = await browser.newPage();
  // What is on screen: rendered and taking room, per entry.
  const boxes = (selector) => page.$$eval(selector, (els) => els.map((el) => {
    const box = el.getBoundingClientRect();
    return {
      id: el.id,
      title: (el.querySelector("h3, h4") || el).textContent.trim(),
      tokens: el.dataset.tokens || "",
      onScreen: el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && box.height > 0 && box.width > 0,
    };
  }));
  for (const width of config.widths) {
    await page.setViewport({ width, height: 900 });
    const result = { width };
    await page.goto(base + config.catalogue, { waitUntil: "load" });
    await page.waitForSelector("#search:not(.pending):not([hidden])");
    result.scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    const before = await boxes("#listing .entry");
    result.entries = before.length;
    result.shownBefore = before.filter((e) => e.onScreen).length;
    // The keyword filters are folded away: open them as a reader does, then click.
    await page.$$eval("details.facet", (els) => els.forEach((el) => { el.open = true; }));
    await page.click(`a[data-filter="${config.filter}"]`);
    const after = await boxes("#listing .entry");
    result.matching = after.filter((e) => ` ${e.tokens} `.includes(` ${config.filter} `)).map((e) => e.id);
    result.shownAfter = after.filter((e) => e.onScreen).map((e) => e.id);
    result.address = page.url();
    // The state is in the address: a reload (or a shared link) shows the same.
    await page.goto(result.address, { waitUntil: "load" });
    result.shownReloaded = (await boxes("#listing .entry")).filter((e) => e.onScreen).map((e) => e.id);
    result.searches = {};
    await page.goto(base + config.catalogue, { waitUntil: "load" });
    await page.waitForSelector("#search:not(.pending):not([hidden])");
    for (const query of config.searches) {
      await page.$eval("#search-q", (el) => { el.value = ""; });
      await page.type("#search-q", query);
      const found = await boxes("#results .entry");
      const listing = await page.$eval("#listing", (el) => el.getBoundingClientRect().height);
      result.searches[query] = {
        shown: found.filter((e) => e.onScreen).map((e) => e.title),
        listingHeight: listing,
        address: page.url(),
      };
    }
    results.push(result);
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(results));
