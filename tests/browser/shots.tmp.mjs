// temp: screenshots light/dark of pages, and SVG covers
import { launch, serve } from "./harness.mjs";
const config = JSON.parse(process.argv[2]);
const { server, base } = await serve(config.root);
const browser = await launch(config.profile, ["--font-render-hinting=none"]);
try {
  const page = await browser.newPage();
  for (const path of config.paths) {
    const name = path.replace(/[\/.]/g, "_");
    const svg = path.endsWith(".svg");
    for (const width of svg ? [800] : [375, 1280]) {
      for (const scheme of svg ? ["light"] : ["light", "dark"]) {
        await page.setViewport({ width, height: svg ? 1200 : 1400, deviceScaleFactor: svg ? 0.5 : 1 });
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
        await page.goto(base + path, { waitUntil: "load" });
        await page.evaluate(async () => { await document.fonts.ready; });
        await page.screenshot({ path: `${config.out}/${name}-${width}-${scheme}.png` });
      }
    }
  }
} finally { await browser.close(); server.close(); }
