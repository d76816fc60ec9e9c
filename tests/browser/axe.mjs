// axe-core over many pages in one headless Chromium, at each width: what the
// conformance tests ask of every HTML and XHTML page briefpress writes.
// Usage: node axe.mjs '{"root": DIR, "paths": ["a/index.html", ...], "widths": [375, 1280],
//                       "profile": DIR, "disabled": {"a/nav.xhtml": ["region", ...]}}'
// `disabled` switches rules off for one path (the tests say why for each).
// Prints a JSON list of {url, width, violations: [{id, impact, nodes}], failedRequests}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, serve } from "./harness.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile, ["--font-render-hinting=none"]);
const results = [];
try {
  const page = await browser.newPage();
  // Nothing leaves the machine: what is not on 127.0.0.1 is refused and reported.
  await page.setRequestInterception(true);
  let failedRequests = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:") request.continue();
    else request.abort();
  });
  page.on("response", (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.url()} ${response.status()}`);
  });
  for (const path of config.paths) {
    for (const width of config.widths) {
      failedRequests = [];
      await page.setViewport({ width, height: 900 });
      await page.goto(base + path, { waitUntil: "load" });
      await page.evaluate(async () => { document.body.getBoundingClientRect(); await document.fonts.ready; });
      await page.evaluate(axeSource);
      const rules = Object.fromEntries(((config.disabled || {})[path] || []).map((id) => [id, { enabled: false }]));
      const violations = await page.evaluate(async (rules) => {
        const found = await window.axe.run(document, { resultTypes: ["violations"], rules });
        return found.violations.map((v) => ({
          id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }));
      }, rules);
      results.push({ url: path, width, violations, failedRequests });
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(results));
