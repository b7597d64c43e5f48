/**
 * Renders the case report of one simulated bundle per verdict into docs/reports/: the Markdown
 * the bot posts, that Markdown rendered to HTML with GitHub-like styles, and a screenshot of it
 * in headless Chromium, so a reviewer can check that every kind of report reads well rendered.
 *
 *   npm run docs:reports
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { marked } from "marked";
import { chromium } from "playwright-core";
import { analyzeBundle } from "../src/analysis/analyze.js";
import { parseConfig } from "../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../src/analysis/ingest/index.js";
import { renderMarkdownReport } from "../src/analysis/report/markdown-report.js";
import { simulate } from "../src/simulator/simulate.js";

const GALLERY: { verdict: string; scenario: string }[] = [
  { verdict: "stale-dma", scenario: "stale-dma-power" },
  { verdict: "dma-fault", scenario: "dma-fault" },
  { verdict: "cache-line-corruption", scenario: "cache-line-corruption" },
  { verdict: "bit-flip", scenario: "bit-flip" },
  { verdict: "use-after-free", scenario: "uaf-slub" },
  { verdict: "out-of-bounds", scenario: "oob-kasan" },
  { verdict: "double-free", scenario: "double-free-kasan" },
  { verdict: "software-corruption", scenario: "software-overrun" },
  { verdict: "inconclusive", scenario: "inconclusive-no-dump" },
];

const STYLE = `body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;max-width:880px;margin:24px auto;padding:0 16px}
h3,h4{margin:20px 0 8px}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;padding:2px 4px;border-radius:4px}
pre{background:#f6f8fa;padding:12px;border-radius:6px;overflow:auto}pre code{background:none;padding:0}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d1d9e0;padding:4px 8px}th{background:#f6f8fa}
details{margin:8px 0}summary{cursor:pointer;color:#0969da}sub{color:#59636e}`;

async function main(): Promise<void> {
  const repo = process.cwd();
  const outDir = join(repo, "docs/reports");
  await mkdir(outDir, { recursive: true });
  const config = parseConfig(await readFile("examples/casefile.yml", "utf8"), "examples/casefile.yml");
  const work = await mkdtemp(join(tmpdir(), "casefile-gallery-"));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const index: string[] = ["# Rendered case reports", "", "One simulated bundle per verdict (`casefile simulate`, seed 1), analysed with `examples/casefile.yml`. Each links the Markdown the bot posts and a screenshot of it rendered.", ""];
  try {
    for (const { verdict, scenario } of GALLERY) {
      await simulate(scenario, { out: join(work, scenario), seed: 1 });
      // Relative paths, so the sources in the report read as they would for a user.
      process.chdir(work);
      const bundle = await ingestPaths([scenario], config.artifacts, `simulated ${scenario}`);
      const result = await analyzeBundle(bundle, { config });
      await bundle.dispose();
      process.chdir(repo);
      const md = renderMarkdownReport(result);
      await writeFile(join(outDir, `${verdict}.md`), md);
      const html = `<!doctype html><meta charset="utf-8"><style>${STYLE}</style><body>${await marked.parse(md)}</body>`;
      const page = await browser.newPage({ viewport: { width: 960, height: 800 } });
      await page.setContent(html);
      await page.screenshot({ path: join(outDir, `${verdict}.png`), fullPage: true });
      await page.close();
      index.push(`- \`${verdict}\` (${scenario}): got \`${result.verdict}\` at ${Math.round(result.confidence * 100)}% — [Markdown](${verdict}.md), [rendered](${verdict}.png)`);
      process.stdout.write(`${verdict}: ${result.verdict} ${result.confidence}\n`);
    }
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
  await writeFile(join(outDir, "README.md"), index.join("\n") + "\n");
}

main().catch((err) => {
  process.stderr.write(`render-report-gallery: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
