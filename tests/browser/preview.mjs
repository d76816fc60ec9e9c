// The `briefpress watch` page at each width: no sideways scrolling, the print pages and
// the HTML side by side on a wide screen and stacked on a phone, page images sized
// before they load. Usage: node preview.mjs URL '[375, 1280]' PROFILE_DIR
import { launch } from "./harness.mjs";

const [url, widths, profile] = process.argv.slice(2);
const browser = await launch(profile);
const results = [];
try {
  const page = await browser.newPage();
  for (const width of JSON.parse(widths)) {
    await page.setViewport({ width, height: 800 });
    await page.goto(url, { waitUntil: "load" });
    results.push(await page.evaluate((width) => {
      const box = (selector) => document.querySelector(selector).getBoundingClientRect();
      const pages = box(".pages"), html = box(".html");
      return {
        width,
        viewport: !!document.querySelector('meta[name="viewport"]'),
        scrollWidth: document.documentElement.scrollWidth,
        stacked: html.top >= pages.bottom - 1,
        sideBySide: Math.abs(html.top - pages.top) < 2 && html.left >= pages.right - 1,
        imagesSized: [...document.querySelectorAll(".pages img")].every((img) => img.getAttribute("width") && img.getAttribute("height")),
        images: document.querySelectorAll(".pages img").length,
      };
    }, width));
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
