import type { ArtifactKind } from "../model/artifact.js";
import { looksBinary } from "./artifact-kind.js";
import { HEAD_BYTES } from "./limits.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function validUtf8(head: Buffer, full: boolean): boolean {
  // A full head may end inside a multi-byte sequence: leave the last 3 bytes out.
  const bytes = full ? head.subarray(0, Math.max(0, head.length - 3)) : head;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Plain-words problems visible in an artifact's first bytes. */
export function contentWarnings(head: Buffer, kind: ArtifactKind, bytes: number | null): string[] {
  if (bytes === 0 || head.length === 0) return ["The file is empty."];
  if (kind === "elf-vmcore") return [];
  const binary = looksBinary(head);
  if (kind === "unknown") {
    if (binary) return ["Binary content that casefile does not recognise (not a console log, trace, memory dump, vmcore, symbol map or archive); skipped."];
    const out = ["Text that casefile does not recognise as a console log, trace, memory dump, symbol map, `lspci -k`, MAINTAINERS or CODEOWNERS file; skipped."];
    return out.concat(textWarnings(head));
  }
  return textWarnings(head);
}

function textWarnings(head: Buffer): string[] {
  const out: string[] = [];
  const full = head.length >= HEAD_BYTES;
  if (!validUtf8(head, full)) out.push("Contains bytes that are not valid UTF-8 text; they are read as the replacement character �.");
  if (full && head.indexOf(0x0a) < 0) {
    out.push(`Has no line break in its first ${HEAD_BYTES / 1024} KiB; overlong lines are cut when read.`);
  }
  return out;
}
