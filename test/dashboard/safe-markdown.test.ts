import { describe, expect, it } from "vitest";
import { renderMarkdownReport } from "../../src/analysis/report/markdown-report.js";
import { renderSafeMarkdown } from "../../src/bot/http/safe-markdown.js";
import { crashRecord } from "../store/crash-fixtures.js";

const HOSTILE = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "<iframe src=//evil></iframe>",
  '<details open ontoggle="alert(1)">',
  "<svg onload=alert(1)>",
];

describe("case report Markdown rendering", () => {
  it("keeps the report's own structure (details, summary, sub, tables, code)", () => {
    const out = renderSafeMarkdown("<details><summary>Evidence (2)</summary>\n\n| a | b |\n|---|---|\n| `x` | y |\n\n</details>\n\n<sub>signature `s`</sub>");
    expect(out).toContain("<details><summary>Evidence (2)</summary>");
    expect(out).toContain("</details>");
    expect(out).toContain("<table>");
    expect(out).toContain("<sub>signature <code>s</code></sub>");
  });

  it("shows hostile HTML as text wherever it appears", () => {
    for (const h of HOSTILE) {
      for (const md of [h, `text ${h} text`, `<details><summary>${h}</summary>\n\nbody\n\n</details>`, `- item ${h}`, `| a |\n|---|\n| ${h} |`]) {
        const out = renderSafeMarkdown(md);
        expect(out, md).not.toMatch(/<(script|img|iframe|svg|a href="javascript)/i);
        expect(out, md).not.toMatch(/<details [^>]*on/i);
      }
    }
  });

  it("keeps http(s) links, drops javascript: targets, and never loads images", () => {
    const out = renderSafeMarkdown("[ok](https://github.com/acme/kernel/issues/1) [bad](javascript:alert(1)) ![pic](https://evil.example/p.png)");
    expect(out).toContain('href="https://github.com/acme/kernel/issues/1"');
    expect(out).not.toContain("javascript:");
    expect(out).not.toContain("<img");
    expect(out).toContain('href="https://evil.example/p.png"');
  });

  it("renders a real report whose crash title and evidence carry markup as text", () => {
    const rec = crashRecord({ issue: 1, receivedAt: new Date(), title: "KASAN: <script>alert(1)</script> in foo" });
    rec.evidence[0].claim = 'payload <img src=x onerror=alert(1)> found';
    rec.summary = "</details><script>alert(2)</script>";
    const out = renderSafeMarkdown(renderMarkdownReport(rec));
    expect(out).not.toMatch(/<(script|img)/i);
    expect(out).toContain("&lt;script&gt;");
  });
});
