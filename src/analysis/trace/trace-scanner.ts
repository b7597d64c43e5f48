import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Artifact } from "../model/artifact.js";
import type { LostEvents } from "./frame-event.js";
import { fromLatin1, FtraceLineCursor, NameTable, ownCopy, parseLostMarker } from "./ftrace-line-parser.js";
import { JsonlEventsParser } from "./jsonl-events-parser.js";
import { type NormaliserContext, TRACEPOINTS, type Tp, TracepointNormaliser, Tp as TpKind } from "./tracepoint-normaliser.js";

/** What one artifact's scan found out about the artifact itself. */
export interface ArtifactScan {
  events: number;
  warnings: string[];
  lost: LostEvents[];
  bytes: number;
}

export interface ScanOptions {
  /** Tracepoint names that repository rules refer to beyond the built-in ones. */
  extraTracepoints: readonly string[];
  onBytes?: (delta: number) => void;
}

const MAX_LOST_MARKERS = 100_000;
const SLICE_BYTES = 48 * 1024;

function decompressed(artifact: Artifact): Readable {
  const s = artifact.open();
  // Artifacts normally arrive decompressed; a gzip stream handed over as is still reads.
  if (artifact.head.length >= 2 && artifact.head[0] === 0x1f && artifact.head[1] === 0x8b) return s.pipe(createGunzip({ chunkSize: 256 * 1024 }));
  return s;
}

/**
 * Streams one trace artifact (ftrace text, trace-cmd report or JSONL events) line by line through
 * the normaliser, in one pass. Lines are read as latin1 strings: every byte maps to one char, so
 * indexOf works on the raw bytes and no UTF-8 decoding is paid for text the scan skips.
 */
export async function scanArtifact(artifact: Artifact, ctx: NormaliserContext, options: ScanOptions): Promise<ArtifactScan> {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.length < 50) warnings.push(m);
  };
  const artifactCtx: NormaliserContext = { ...ctx, warn };
  // The shared sequence counter lives on ctx: copy back at the end.
  const norm = new TracepointNormaliser(artifactCtx, artifact.name);
  const jsonl = artifact.kind === "jsonl-events" ? new JsonlEventsParser(artifactCtx, norm, artifact.name, ctx.pageShift) : null;
  const traceCmd = artifact.kind === "trace-cmd";
  const nameMap = new Map<string, Tp>(TRACEPOINTS);
  for (const n of options.extraTracepoints) if (!nameMap.has(n)) nameMap.set(n, TpKind.Named);
  const names = new NameTable(nameMap);

  const cursor = new FtraceLineCursor();
  const lost: LostEvents[] = [];
  let events = 0;
  let garbage = 0;
  let firstGarbage = 0;
  let unreadableHeaders = 0;
  let backwards = 0;
  let firstBackwards = 0;
  let seenEvent = false;
  // A field, not a closure variable: V8 stores a double field in place, a captured `let` as a new heap number per write.
  const clock = { prevTs: -Infinity };
  let lineNo = 0;
  let bytes = 0;
  let multiInput = false;

  const handleJsonl = (line: string): void => {
    if (line.length === 0 || line.charCodeAt(0) !== 123) {
      if (line.trim().length > 0 && garbage++ === 0) firstGarbage = lineNo;
      return;
    }
    if (jsonl!.line(fromLatin1(line), lineNo)) {
      events++;
      const ts = jsonl!.lastTs;
      if (ts < clock.prevTs) {
        if (backwards++ === 0) firstBackwards = lineNo;
      } else clock.prevTs = ts;
    } else if (garbage++ === 0) firstGarbage = lineNo;
  };

  /** One ftrace / trace-cmd line: [start, end) of the chunk `text`. The hot path slices nothing. */
  const handleLine = (text: string, start: number, end: number): void => {
    if (start === end) return;
    let skip = 0;
    if (multiInput) {
      const p = text.indexOf(": ", start);
      const b = text.indexOf("[", start);
      if (p !== -1 && p < end && (b === -1 || b > end || p < b)) skip = p + 2 - start;
    }
    const c0 = text.charCodeAt(start + skip);
    if (c0 === 35 /* # */) return;
    if (c0 === 32 && text.startsWith(" => ", start + skip)) {
      if (norm.last !== null) norm.stackLine(ownCopy(text.slice(start + skip + 4, end).trim()));
      return;
    }
    if (c0 === 67 /* C */ || (traceCmd && !seenEvent)) {
      const line = text.slice(start, end);
      const marker = parseLostMarker(line, skip);
      if (marker) {
        if (lost.length < MAX_LOST_MARKERS) lost.push({ cpu: marker.cpu, count: marker.count, ts: clock.prevTs === -Infinity ? 0 : clock.prevTs, source: `${artifact.name}:${lineNo}` });
        return;
      }
      if (traceCmd && !seenEvent) {
        if (line.startsWith("cpus=") || line.startsWith("version")) return;
        // `trace-cmd report -i a.dat -i b.dat` puts the file name before each line.
        const p = line.indexOf(": ");
        const b = line.indexOf(" [");
        if (c0 !== 32 && p !== -1 && b !== -1 && p < b && line.slice(0, p).indexOf(" ") === -1 && !/-\d+$/.test(line.slice(0, p))) {
          multiInput = true;
          skip = p + 2;
        }
      }
    }
    cursor.skip = skip;
    if (!cursor.locate(text, start, end)) {
      if (seenEvent || !traceCmd) {
        if (cursor.tsEnd === -2) return;
        if (garbage++ === 0) firstGarbage = lineNo;
      }
      return;
    }
    seenEvent = true;
    events++;
    // Every event line's timestamp: a short digit loop, cheaper than it sounds, and it is how
    // out-of-order traces and the time of a loss marker are known.
    const ts = cursor.lineTs;
    if (ts < clock.prevTs) {
      if (backwards++ === 0) firstBackwards = lineNo;
    } else clock.prevTs = ts;
    const tp = names.get(text, cursor.nameStart, cursor.nameEnd);
    if (tp === undefined) {
      if (text.charCodeAt(cursor.nameStart) !== 60) norm.last = null; // `<stack trace>` keeps the event before it
      return;
    }
    if (!norm.handle(tp, cursor, lineNo)) {
      if (unreadableHeaders++ === 0) warn(`${artifact.name}:${lineNo}: the task, CPU or timestamp of this line could not be read; such lines are skipped`);
    }
  };

  let rest = "";
  const stream = decompressed(artifact);
  try {
    for await (const chunk of stream) {
      const whole = chunk as Buffer;
      bytes += whole.length;
      options.onBytes?.(whole.length);
      // Decoded in slices below V8's large-object size: a 1 MiB string lands in old space and
      // costs a full mark-compact per chunk; 48 KiB ones die young in cheap scavenges.
      for (let off = 0; off < whole.length; off += SLICE_BYTES) {
        // Each slice is its own flat latin1 string; only the line that straddles two slices is
        // concatenated (concatenating whole slices would leave a cons string that every charCodeAt pays for).
        const text = whole.toString("latin1", off, Math.min(whole.length, off + SLICE_BYTES));
        let pos = 0;
        if (rest.length > 0) {
          const nl = text.indexOf("\n");
          if (nl === -1) {
            rest += text;
          } else {
            lineNo++;
            let line = rest + text.slice(0, nl);
            rest = "";
            if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
            if (jsonl) handleJsonl(line);
            else handleLine(line, 0, line.length);
            pos = nl + 1;
          }
        }
        if (rest.length > 0) {
          if (rest.length > 1 << 20) {
            // A "line" of a megabyte is no trace line: drop it rather than grow.
            lineNo++;
            if (garbage++ === 0) firstGarbage = lineNo;
            rest = "";
          }
          continue;
        }
        for (;;) {
          const nl = text.indexOf("\n", pos);
          if (nl === -1) break;
          lineNo++;
          const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          if (jsonl) handleJsonl(text.slice(pos, end));
          else handleLine(text, pos, end);
          pos = nl + 1;
        }
        rest = pos === text.length ? "" : text.slice(pos);
      }
    }
  } catch (err) {
    warn(`${artifact.name}: reading stopped after ${bytes} bytes: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (rest.length > 0) {
    lineNo++;
    const before = garbage;
    if (jsonl) handleJsonl(rest);
    else handleLine(rest, 0, rest.length);
    if (garbage > before) {
      garbage--;
      warn(`${artifact.name}:${lineNo}: the last line is cut off; it was ignored`);
    } else warn(`${artifact.name}:${lineNo}: the trace does not end with a newline; its last line may be incomplete`);
  }
  ctx.seq = artifactCtx.seq;
  if (garbage > 0) warn(`${artifact.name}: ${garbage} line${garbage === 1 ? "" : "s"} could not be read as trace events (first at line ${firstGarbage})`);
  if (backwards > 0) warn(`${artifact.name}: timestamps go backwards ${backwards} time${backwards === 1 ? "" : "s"} (first at line ${firstBackwards}); events were put back in time order`);
  if (lost.length > 0) {
    const total = lost.reduce((a, l) => a + (l.count ?? 0), 0);
    const cpus = [...new Set(lost.map((l) => l.cpu))].sort((a, b) => a - b);
    warn(`${artifact.name}: the tracer lost ${total > 0 ? total + " " : ""}events ${lost.length} time${lost.length === 1 ? "" : "s"} (CPU ${cpus.join(", ")}; first at ${lost[0].source}), so an event missing there may simply not have been recorded`);
  }
  if (events === 0) warn(`${artifact.name}: no trace events found`);
  return { events, warnings, lost, bytes };
}
