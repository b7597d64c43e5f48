import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { extractFencedBlocks } from "../../src/analysis/ingest/markdown-blocks.js";
import { ingestMarkdown } from "../../src/analysis/ingest/markdown-ingest.js";
import { readAll } from "./archive-builders.js";

const LOG = "[  812.000456] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000460] Read of size 8 at addr ffff888012acfc20 by task a/1";

describe("extractFencedBlocks", () => {
  it("finds ``` and ~~~ fences with and without info strings", () => {
    const md = ["Intro", "```", "one", "```", "text", "~~~console", "two", "  indented", "~~~", "```` text", "```", "three", "````"].join("\n");
    expect(extractFencedBlocks(md).map((b) => [b.index, b.info, b.text, b.unterminated])).toEqual([
      [1, "", "one", false],
      [2, "console", "two\n  indented", false],
      [3, "text", "```\nthree", false],
    ]);
  });

  it("reads fences indented inside list items and quotes, stripping the fence's indentation", () => {
    const md = ["1. Console log:", "", "   ```", "   [  1.000000] line one", "     deeper", "   ```", "- ```text", "  x", "  ```", "> ```", "> quoted", "> ```"].join("\n");
    expect(extractFencedBlocks(md).map((b) => b.text)).toEqual(["[  1.000000] line one\n  deeper", "x", "quoted"]);
  });

  it("keeps an unterminated last fence up to the end, and handles CRLF", () => {
    const blocks = extractFencedBlocks("a\r\n```\r\nlog 1\r\nlog 2\r\n");
    expect(blocks).toHaveLength(1);
    expect(blocks[0].text).toBe("log 1\nlog 2\n");
    expect(blocks[0].unterminated).toBe(true);
  });

  it("does not close a fence with a shorter or different fence, nor open on inline code", () => {
    const md = ["````", "```", "~~~", "````", "``` not `a` fence", "x"].join("\n");
    const blocks = extractFencedBlocks(md);
    expect(blocks[0].text).toBe("```\n~~~");
    expect(blocks).toHaveLength(1);
  });

  it("never throws and returns blocks whose text came from the input (fast-check)", () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom("```", "~~~", "````c", "  ```", "> ```", "- ~~~x", "\n", "\r\n", "`"));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const md = parts.join("\n");
        const blocks = extractFencedBlocks(md);
        const unified = md.replace(/\r\n?/g, "\n");
        blocks.forEach((b, i) => {
          expect(b.index).toBe(i + 1);
          expect(b.line).toBeGreaterThan(0);
          // every line of a block is (the tail of) a line of the input
          for (const line of b.text.split("\n")) expect(unified.includes(line)).toBe(true);
        });
        return true;
      }),
      { numRuns: 400 },
    );
  });
});

describe("ingestMarkdown", () => {
  it("makes each block an artifact named after its source and position", async () => {
    const md = `We hit this:\n\n\`\`\`\n${LOG}\n\`\`\`\n\nand\n\n~~~\ncpus=4\n~~~\n`;
    const bundle = await ingestMarkdown(md, "issue #12 body", DEFAULT_CONFIG.artifacts);
    expect(bundle.name).toBe("issue #12 body");
    expect(bundle.artifacts.map((a) => [a.name, a.kind])).toEqual([
      ["issue #12 body, block 1", "console-log"],
      ["issue #12 body, block 2", "trace-cmd"],
    ]);
    expect((await readAll(bundle.artifacts[0].open())).toString()).toBe(LOG);
    await bundle.dispose();
  });

  it("picks up a console log pasted without fences", async () => {
    const bundle = await ingestMarkdown(`Crash on boot:\n${LOG}\n`, "issue #3 comment 7", DEFAULT_CONFIG.artifacts);
    expect(bundle.artifacts.map((a) => [a.name, a.kind])).toEqual([["issue #3 comment 7, text outside code blocks", "console-log"]]);
    await bundle.dispose();
  });

  it("an issue without code blocks or logs gives an empty bundle", async () => {
    const bundle = await ingestMarkdown("Please help, my machine crashed.", "issue #1 body", DEFAULT_CONFIG.artifacts);
    expect(bundle.artifacts).toEqual([]);
    await bundle.dispose();
  });

  it("never throws on arbitrary text (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.constantFrom("```", "~~~", LOG, "\u0000")), { maxLength: 30 }), async (parts) => {
        const bundle = await ingestMarkdown(parts.join("\n"), "issue #1 body", DEFAULT_CONFIG.artifacts);
        await bundle.dispose();
        return Array.isArray(bundle.artifacts);
      }),
      { numRuns: 100 },
    );
  });
});

describe("ingestMarkdown and issue-form prose", () => {
  it("does not take `Key: value` prose outside fences for a console log", async () => {
    const md = "### Kernel version\n\nKernel version: 6.12.0\nArch: x86_64\nSteps: run the test\n\n```\n" + LOG + "\n```\n";
    const bundle = await ingestMarkdown(md, "issue #5 body", DEFAULT_CONFIG.artifacts);
    expect(bundle.artifacts.map((a) => a.name)).toEqual(["issue #5 body, block 1"]);
    await bundle.dispose();
  });
});

describe("ingestMarkdown warnings", () => {
  it("says when the last code block was never closed", async () => {
    const bundle = await ingestMarkdown("```\n" + LOG, "issue #9 body", DEFAULT_CONFIG.artifacts);
    expect(bundle.artifacts[0].kind).toBe("console-log");
    expect(bundle.artifacts[0].warnings.join(" ")).toMatch(/no closing fence/);
    await bundle.dispose();
  });
});
