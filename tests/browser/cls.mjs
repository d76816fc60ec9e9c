// Cumulative layout shift of pages while their web fonts arrive late.
// node cls.mjs '{"root": DIR, "paths": [...], "widths": [375, 1280], "delay": 600, "profile": DIR}'
// Every font response is held back `delay` ms, so the first paint is in the local
// fallback faces and the swap to the web fonts happens in view; the page's
// layout-shift entries (PerformanceObserver, buffered) are summed as Lighthouse's
// CLS is, less input-driven shifts. Prints one JSON record per page and width.
import { launch, serve } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile);
const results = [];
try {
  for (const path of config.paths) {
    for (const width of config.widths) {
      const page = await browser.newPage();
      await page.setCacheEnabled(false);
      await page.setViewport({ width, height: width < 800 ? 812 : 900 });
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        if (request.resourceType() === "font") setTimeout(() => request.continue(), config.delay);
        else request.continue();
      });
      await page.evaluateOnNewDocument(() => {
        window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) {
              window.__shifts.push({
                value: entry.value,
                at: entry.startTime,
                sources: (entry.sources || []).map((s) => s.node ? (s.node.nodeName + "." + (s.node.className || "")) : "?"),
              });
            }
          }
        }).observe({ type: "layout-shift", buffered: true });
      });
      await page.goto(base + path, { waitUntil: "load" });
      await page.evaluate(() => document.fonts.ready);
      await new Promise((resolve) => setTimeout(resolve, config.delay + 500));
      const found = await page.evaluate(() => ({
        shifts: window.__shifts,
        fonts: [...document.fonts].filter((f) => f.status === "loaded").map((f) => `${f.family} ${f.weight} ${f.style}`),
      }));
      const cls = found.shifts.reduce((sum, s) => sum + s.value, 0);
      results.push({ path, width, cls, shifts: found.shifts, fonts: found.fonts });
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(results));
