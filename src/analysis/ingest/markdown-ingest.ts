import type { Limits } from "../config/casefile-config.js";
import type { Bundle } from "../model/artifact.js";
import { hasKernelLogLines } from "./artifact-kind.js";
import { IngestSession } from "./ingest-session.js";
import { formatBytes } from "./limits.js";
import { extractFencedBlocks, textOutsideFences } from "./markdown-blocks.js";

async function addText(session: IngestSession, name: string, text: string, note?: string): Promise<void> {
  const { limits, budget } = session;
  let buffer = Buffer.from(text, "utf8");
  const warnings: string[] = note ? [note] : [];
  const cap = Math.min(limits.max_file_bytes, budget.bytesLeft);
  if (buffer.length > cap) {
    warnings.push(`Longer than ${formatBytes(cap)} (artifacts.max_file_bytes / max_bundle_bytes); only the first ${formatBytes(cap)} are analysed.`);
    buffer = buffer.subarray(0, cap);
  }
  budget.bytesRead += buffer.length;
  await session.visit({ name, bytes: { where: "memory", buffer }, warnings }, 0);
}

/**
 * Every fenced code block of an issue body or comment becomes an artifact named
 * `<source>, block N`. A console log pasted without fences is picked up as
 * `<source>, text outside code blocks`. Never throws.
 */
export async function ingestMarkdown(markdown: string, source: string, limits: Limits): Promise<Bundle> {
  const session = new IngestSession(limits);
  try {
    for (const block of extractFencedBlocks(markdown)) {
      const note = block.unterminated ? "The code block has no closing fence; it was read to the end of the text." : undefined;
      await addText(session, `${source}, block ${block.index}`, block.text, note);
    }
    const outside = textOutsideFences(markdown);
    // Prose is full of `Key: value` lines: only printk timestamps or crash markers count here.
    if (outside.trim() !== "" && hasKernelLogLines(outside.slice(0, 64 * 1024).split(/\r?\n/, 400))) {
      await addText(session, `${source}, text outside code blocks`, outside);
    }
  } catch (e) {
    session.warnings.push(`${source}: the Markdown could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
  return session.bundle(source);
}
