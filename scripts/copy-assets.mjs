// tsc compiles only TypeScript; the analysis also ships readable data files (built-in rules
// *.rules.yml, dashboard assets). Copy them next to the compiled modules so dist/ finds them
// at the same relative paths as src/.
import { cpSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ASSET = /\.(ya?ml|css|html|svg|txt)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (ASSET.test(name)) {
      const target = join("dist", relative("src", path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
walk("src");
