import { isVerdictKind, type VerdictKind } from "../analysis/model/verdict-kind.js";
import { scanMarkdown } from "./markdown-scan.js";

/** The `/casefile ...` commands a comment may carry (issue 6). */
export type BotCommand =
  | { kind: "rerun" }
  | { kind: "explain" }
  | { kind: "owner"; label: string }
  | { kind: "wrong"; verdict: VerdictKind }
  | { kind: "invalid"; text: string; problem: string };

const COMMAND_LINE = /^\s{0,3}\/casefile(?:\s+(\S+))?(?:\s+(\S.*?))?\s*$/;

/**
 * Commands start a line, outside fenced code blocks and quotes, so quoting an earlier
 * command or pasting a transcript never triggers one. Repeats are kept once.
 */
export function parseCommands(body: string): BotCommand[] {
  const out: BotCommand[] = [];
  const seen = new Set<string>();
  for (const line of scanMarkdown(body).prose) {
    const m = COMMAND_LINE.exec(line);
    if (!m) continue;
    const command = parseOne((m[1] ?? "").toLowerCase(), (m[2] ?? "").trim(), line.trim());
    const key = JSON.stringify(command);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(command);
  }
  return out;
}

function parseOne(name: string, arg: string, text: string): BotCommand {
  switch (name) {
    case "rerun":
      return { kind: "rerun" };
    case "explain":
      return { kind: "explain" };
    case "owner": {
      const label = arg.split(/\s+/)[0] ?? "";
      if (!label) return { kind: "invalid", text, problem: "`/casefile owner` needs the owner's label, e.g. `/casefile owner owner:rdma`" };
      return { kind: "owner", label };
    }
    case "wrong": {
      const verdict = (arg.split(/\s+/)[0] ?? "").toLowerCase().replace(/^crash:/, "");
      if (!isVerdictKind(verdict)) {
        return { kind: "invalid", text, problem: `\`/casefile wrong\` needs the right verdict, one of: stale-dma, dma-fault, cache-line-corruption, bit-flip, use-after-free, out-of-bounds, double-free, software-corruption, inconclusive` };
      }
      return { kind: "wrong", verdict };
    }
    default:
      return { kind: "invalid", text, problem: `unknown command \`${name || "(none)"}\`; casefile knows rerun, explain, owner <label>, wrong <verdict>` };
  }
}
