// Opens web pages in Debian's headless Chromium and reports, as JSON on stdout,
// what a reader would meet: axe-core violations at each width, sideways scrolling,
// images without alt text, and whether keyboard focus is visible.
// Usage: node pages.mjs '{"root": DIR, "paths": ["a/index.html", ...], "widths": [375, 1280],
//                          "screenshots": {"a/index.html": "/out/prefix"}, "profile": DIR}'
// DIR is served on 127.0.0.1 by this script, so fonts and scripts load as on a real site.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, serve } from "./harness.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);
const widths = config.widths || [375, 1280];
const shots = config.screenshots || {};
const { server, base } = await serve(config.root);

const browser = await launch(config.profile, ["--font-render-hinting=none"]);
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
  let failedRequests = [];
  page.on("requestfailed", (request) => {
    failedRequests.push(`${request.url()} ${request.failure() && request.failure().errorText}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warn") failedRequests.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.url()} ${response.status()}`);
  });
  for (const path of config.paths) {
    const url = base + path;
    for (const width of widths) {
      await page.setViewport({ width, height: 900 });
      await page.goto(url, { waitUntil: "load" });
      // Lay the page out, so the fonts it uses start loading, then wait for them.
      await page.evaluate(async () => { document.body.getBoundingClientRect(); await document.fonts.ready; });
      if ((config.layoutOnly || []).includes(width)) {
        // The narrowest phones: only whether the page scrolls sideways.
        const narrow = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        }));
        results.push({ url: path, width, layoutOnly: true, ...narrow });
        continue;
      }
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
      if (shots[path]) {
        await page.evaluate(() => document.activeElement && document.activeElement.blur());
        await page.screenshot({ path: `${shots[path]}-${width}.png`, fullPage: Boolean(config.fullPage) });
      }
      // Every web font the page declares must load (a real WOFF2 at the URL given).
      const fonts = await page.evaluate(async () => {
        const faces = [...document.fonts];
        const settled = await Promise.allSettled(faces.map((face) => face.load()));
        const text = document.querySelector(".body p, .abstract") || document.body;
        return {
          loaded: faces.filter((_, i) => settled[i].status === "fulfilled").map((f) => f.family),
          failed: faces.filter((_, i) => settled[i].status !== "fulfilled").map((f, i) => `${f.family} ${f.weight} ${f.style}`),
          reasons: settled.filter((s) => s.status !== "fulfilled").map((s) => String(s.reason)),
          heading: getComputedStyle(document.querySelector("h1")).fontFamily,
          text: getComputedStyle(text).fontFamily,
        };
      });
      results.push({ url: path, width, axe, ...layout, focus, fonts, failedRequests });
      failedRequests = [];
      if (width !== widths[widths.length - 1]) continue;
      // Once per page (at the widest): the dark scheme (the style's dark palette) must
      // read as well, contrast again; on paper, no navigation and no buttons.
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
      const dark = await page.evaluate(async () => {
        const found = await window.axe.run(document, { runOnly: ["color-contrast", "link-in-text-block"] });
        return {
          violations: found.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })),
          paper: getComputedStyle(document.documentElement).backgroundColor,
        };
      });
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
      await page.emulateMediaType("print");
      const printed = await page.evaluate(() =>
        [...document.querySelectorAll(".site-nav a, .downloads, button, .pager, .filters")]
          .every((el) => getComputedStyle(el).display === "none" || el.closest("[hidden]") || el.hidden));
      await page.emulateMediaType(null);
      Object.assign(results[results.length - 1], { dark, printed });
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(results));
