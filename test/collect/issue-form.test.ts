import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestMarkdown } from "../../src/analysis/ingest/markdown-ingest.js";

const FORM = join(import.meta.dirname, "../../.github/ISSUE_TEMPLATE/kernel-crash.yml");

interface FormElement {
  type: string;
  id?: string;
  attributes: { label?: string; render?: string; options?: unknown[] };
  validations?: { required?: boolean };
}

const form = parse(readFileSync(FORM, "utf8")) as { name: string; description: string; labels: string[]; body: FormElement[] };
const byId = (id: string) => form.body.find((e) => e.id === id);

describe(".github/ISSUE_TEMPLATE/kernel-crash.yml", () => {
  it("is a valid issue form that applies casefile's default trigger label", () => {
    expect(form.name).toBeTruthy();
    expect(form.description).toBeTruthy();
    expect(form.labels).toEqual(expect.arrayContaining(DEFAULT_CONFIG.trigger.labels));
    const ids = form.body.filter((e) => e.id).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of form.body) {
      expect(["markdown", "textarea", "input", "dropdown", "checkboxes"]).toContain(e.type);
      if (e.type !== "markdown") expect(e.attributes.label).toBeTruthy();
    }
  });

  it("asks for the console log, kernel version, arch and reproduction, and takes uploads for trace, dump and System.map", () => {
    expect(byId("console-log")?.type).toBe("textarea");
    expect(byId("console-log")?.attributes.render).toBe("text"); // rendered as a fenced block, which ingest reads
    for (const id of ["console-log", "kernel-version", "arch", "reproduce"]) expect(byId(id)?.validations?.required).toBe(true);
    for (const id of ["trace", "memory-dump", "system-map"]) {
      expect(byId(id)?.type).toBe("textarea"); // textareas accept file attachments
      expect(byId(id)?.attributes.render).toBeUndefined(); // a rendered field would hide the attachment link in a code block
    }
    expect(byId("arch")?.attributes.options).toEqual(expect.arrayContaining(["x86_64 (4K pages)", "ppc64le (64K pages)", "arm64 (4K pages)"]));
  });

  it("an issue filed through the form gives casefile its console log and lspci -k as artifacts", async () => {
    const body = [
      "### Console log",
      "",
      "```text",
      "[  812.000456] BUG: unable to handle page fault for address: ffff88802b3c4010",
      "[  812.000460] #PF: supervisor write access in kernel mode",
      "```",
      "",
      "### Kernel version",
      "",
      "6.12.0-55.el10.x86_64",
      "",
      "### Architecture and page size",
      "",
      "x86_64 (4K pages)",
      "",
      "### Devices (lspci -k)",
      "",
      "```text",
      "0000:01:00.0 Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5]",
      "\tKernel driver in use: mlx5_core",
      "```",
    ].join("\n");
    const bundle = await ingestMarkdown(body, "issue #4 body", DEFAULT_CONFIG.artifacts);
    expect(bundle.artifacts.map((a) => [a.name, a.kind])).toEqual([
      ["issue #4 body, block 1", "console-log"],
      ["issue #4 body, block 2", "lspci"],
    ]);
    await bundle.dispose();
  });
});
