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
    const known = knownUnreadFormat(head);
    if (known) return [known];
    if (binary) return ["Binary content that casefile does not recognise (not a console log, trace, memory dump, vmcore, symbol map or archive); skipped."];
    const out = ["Text that casefile does not recognise as a console log, trace, memory dump, symbol map, `lspci -k`, MAINTAINERS or CODEOWNERS file; skipped."];
    return out.concat(textWarnings(head));
  }
  return textWarnings(head);
}

/** Formats people attach that casefile does not open, with what to do instead. */
function knownUnreadFormat(head: Buffer): string | null {
  const at = (sig: string, offset = 0) => head.length >= offset + sig.length && head.toString("latin1", offset, offset + sig.length) === sig;
  if (at("KDUMP   ") || at("DISKDUMP")) {
    return "A makedumpfile compressed dump (kdump format), which casefile cannot read; export it as ELF instead: `makedumpfile -E -d 31 /proc/vmcore vmcore.elf`, or dump the suspect pages with `crash` (`rd -p -64 ADDR 512`).";
  }
  if (at("\xfd7zXZ\x00")) return "xz-compressed; casefile opens gzip, zip and tar only. Decompress it (`xz -d`) or recompress with gzip.";
  if (at("BZh") && head.length > 3 && head[3] >= 0x31 && head[3] <= 0x39) return "bzip2-compressed; casefile opens gzip, zip and tar only. Decompress it (`bzip2 -d`) or recompress with gzip.";
  if (at("\x28\xb5\x2f\xfd")) return "zstd-compressed; casefile opens gzip, zip and tar only. Decompress it (`zstd -d`) or recompress with gzip.";
  if (at("7z\xbc\xaf\x27\x1c")) return "A 7-Zip archive; casefile opens gzip, zip and tar only.";
  if (at("Rar!")) return "A RAR archive; casefile opens gzip, zip and tar only.";
  if (at("\x7fELF")) return "An ELF file that is not a core dump (a program or module?); casefile reads ELF vmcores (ET_CORE) only.";
  return null;
}

function textWarnings(head: Buffer): string[] {
  const out: string[] = [];
  const full = head.length >= HEAD_BYTES;
  if (!validUtf8(head, full)) out.push("Contains bytes that are not valid UTF-8 text; they are read as the replacement character �.");
  if (head.indexOf(0) >= 0) out.push("Contains NUL bytes (a zero-filled stretch or serial-console noise); the text around them is read.");
  if (full && head.indexOf(0x0a) < 0) {
    out.push(`Has no line break in its first ${HEAD_BYTES / 1024} KiB; overlong lines are cut when read.`);
  }
  return out;
}
