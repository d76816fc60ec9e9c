// Every published SVG opened as a document in headless Chromium, as a visitor who
// follows a figure's link would: what it requests beyond itself, and where it ends up.
// Usage: node svg.mjs '{"root": DIR, "files": ["x/figures/a.svg", ...], "profile": DIR}'
import { launch, serve } from "./harness.mjs";

const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile);
const results = [];
try {
  for (const file of config.files) {
    const page = await browser.newPage();
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(base + file, { waitUntil: "load" });
    // Long enough for a meta refresh, a lazy image or an @import to fire.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The browser asks for the site's favicon by itself; the file asked for nothing.
    const own = (url) => url === base + file || url === base + "favicon.ico";
    results.push({ file, requests: requests.filter((url) => !own(url)), url: page.url() });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(results));
