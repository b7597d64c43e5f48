#!/usr/bin/env node
// Entry point for `npx casefile`: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via prepare).
import { main } from "../dist/cli/main.js";

// `casefile analyze ... | head`: a reader that stops early is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`casefile: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
