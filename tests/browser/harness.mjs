// What every browser test script shares: a folder served on 127.0.0.1 (so fonts and
// scripts load as on a real site, and nothing leaves the machine) and Debian's
// headless Chromium started with the flags this closed network needs.
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import puppeteer from "puppeteer-core";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".woff2": "font/woff2",
  ".xml": "application/xml", ".json": "application/json", ".xhtml": "application/xhtml+xml",
};

// Serves `folder`; resolves to the server and its base URL (ending in "/").
export async function serve(folder) {
  const root = normalize(folder);
  const server = createServer((request, response) => {
    let path = normalize(join(root, decodeURIComponent(new URL(request.url, "http://x").pathname)));
    let body = null;
    try {
      // A folder's address serves its index.html, as a static host does (a publish
      // build links pages by folder: ../x/).
      if ((path + sep).startsWith(root + sep) && statSync(path).isDirectory()) path = join(path, "index.html");
      if (path.startsWith(root + sep) && statSync(path).isFile()) body = readFileSync(path);
    } catch {}
    response.writeHead(body ? 200 : 404, { "content-type": TYPES[extname(path)] || "application/octet-stream" });
    response.end(body || "not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

export function launch(profile, extraArgs = []) {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    userDataDir: profile,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage", ...extraArgs,
    ],
  });
}
