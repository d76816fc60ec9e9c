// Opens web pages in Debian's headless Chromium and reports, as JSON on stdout,
// what a reader would meet: axe-core violations at each width, sideways scrolling,
// images without alt text, and whether keyboard focus is visible.
// Usage: node pages.mjs '{"urls": [...], "widths": [375, 1280], "screenshots": {"url": "prefix"}}'
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);
const widths = config.widths || [375, 1280];
const shots = config.screenshots || {};

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  userDataDir: config.profile,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--font-render-hinting=none",
  ],
});
const results = [];
try {
  const page = await browser.newPage();
  // Nothing leaves the machine: the pages are served from 127.0.0.1.
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:") request.continue();
    else request.abort();
  });
  for (const url of config.urls) {
    for (const width of widths) {
      await page.setViewport({ width, height: 900 });
      await page.goto(url, { waitUntil: "load" });
      // Lay the page out, so the fonts it uses start loading, then wait for them.
      await page.evaluate(async () => { document.body.getBoundingClientRect(); await document.fonts.ready; });
      await page.evaluate(axeSource);
      const axe = await page.evaluate(async () => {
        const found = await window.axe.run(document, { resultTypes: ["violations"] });
        return found.violations.map((v) => ({
          id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }));
      });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        imagesWithoutAlt: [...document.images].filter((i) => !i.hasAttribute("alt")).map((i) => i.src),
        accent: getComputedStyle(document.querySelector(".masthead") || document.body).color,
        fonts: [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family),
      }));
      // Tab to the first focusable element after the skip link: it must show an outline.
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return { element: null, visible: false };
        const style = getComputedStyle(el);
        return {
          element: el.outerHTML.slice(0, 80),
          visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        };
      });
      if (shots[url]) {
        await page.evaluate(() => document.activeElement && document.activeElement.blur());
        await page.screenshot({ path: `${shots[url]}-${width}.png`, fullPage: Boolean(config.fullPage) });
      }
      results.push({ url, width, axe, ...layout, focus });
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
