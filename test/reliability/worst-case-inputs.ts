/**
 * Every text parser casefile runs on what strangers upload, with sample lines of its format,
 * and the 1 MiB inputs that are worst for regular expressions built from those samples:
 * one character repeated, a line's prefix repeated without a newline (a pattern restarts at
 * every copy), whitespace and digit runs widened to 1 MiB, and lines cut at every position.
 * Shared by hostile-parsers.test.ts (no exception) and measure-worst-cases.ts (the times in
 * docs/reliability.md).
 */
import { Readable } from "node:stream";
import { parseConfig } from "../../src/analysis/config/casefile-config.js";
import { parseConsoleLog, parseLspci } from "../../src/analysis/console/index.js";
import { extractFencedBlocks, sniffKind } from "../../src/analysis/ingest/index.js";
import { textOutsideFences } from "../../src/analysis/ingest/markdown-blocks.js";
import { readCrashRdText, readHexdumpText, readXxdText } from "../../src/analysis/memory/index.js";
import type { Artifact, ArtifactKind } from "../../src/analysis/model/artifact.js";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { parseCodeowners } from "../../src/analysis/owners/codeowners.js";
import { guiltyFile } from "../../src/analysis/owners/guilty-file.js";
import { parseMaintainers } from "../../src/analysis/owners/maintainers.js";
import { crashSignature } from "../../src/analysis/signature/crash-signature.js";
import { SymbolMap } from "../../src/analysis/symbols/symbol-map.js";
import { parseRules } from "../../src/analysis/trace/rule-loader.js";
import { scanTraces } from "../../src/analysis/trace/scan-traces.js";
import { extractArtifactRefs } from "../../src/bot/artifact-links.js";
import { parseCommands } from "../../src/bot/commands.js";
import { looksLikeKernelCrash } from "../../src/bot/crash-report-detect.js";
import { scanMarkdown } from "../../src/bot/markdown-scan.js";

export const MiB = 1024 * 1024;

export interface TextParser {
  name: string;
  /** Valid lines of the format; the worst cases are built from them. */
  samples: string[];
  /** Runs the parser; errors the parser is designed to throw (a plain ConfigError) are returned, not thrown. */
  run(text: string): Promise<unknown>;
  /** Errors that are the parser's designed answer to bad input. */
  expectedError?: (err: unknown) => boolean;
  /** Input size when 1 MiB is out of reach (documented in docs/reliability.md). */
  size?: number;
  /** Hand-made worst cases for this parser's own patterns. */
  extra?: (size: number) => WorstCase[];
}

const CONSOLE = [
  "[ 3034.543920][T29345] Oops: general protection fault, probably for non-canonical address 0x77554caeac037aeb: 0000 [#1] PREEMPT SMP NOPTI",
  "[ 3034.543924][T29345] CPU: 4 UID: 0 PID: 29345 Comm: find Not tainted 6.12.0-55.9.1.el10_0.x86_64 #1",
  "[ 3034.543928][T29345] Hardware name: Dell Inc. PowerEdge R760/0WMWCR, BIOS 2.3.5 09/10/2024",
  "[ 3034.543932][T29345] RIP: 0010:__d_lookup_rcu+0x1ec/0x570",
  "[ 3034.543936][T29345] Code: 01 6e f9 c0 0d 29 45 b8 e2 fe 86 36 e2 8f d2 0a <8f> 65 9a 3f 43 42",
  "[ 3034.543944][T29345] RAX: 77554caeac037aeb RBX: ffff8882ae6f2000 RCX: 00000000000044c1",
  "[ 3034.543976][T29345] Call Trace:",
  "[ 3034.543984][T29345]   lookup_fast+0x674/0x850",
  "[ 3034.543988][T29345]  ? walk_component+0xa8/0x330 fs/namei.c:2012",
  "[  812.000456] BUG: KASAN: slab-use-after-free in ext4_htree_fill_tree+0x1f/0x80 fs/ext4/dir.c:123",
  "[  812.000460] Write of size 8 at addr ffff888012acfc20 by task syz-executor/4242",
  "[  812.000470] The buggy address belongs to the object at ffff888012acfc00\n which belongs to the cache kmalloc-64 of size 64",
  "[  813.1] BUG kmalloc-64 (Not tainted): Poison overwritten",
  "[  813.2] INFO: 0xffff888012acfc20-0xffff888012acfc27 @offset=32. First byte 0x0 instead of 0x6b",
  "[  1.604261][    T1] ice 0000:5e:00.0: The DDP package was successfully loaded",
  "[ 10.0] mlx5_core 0003:01:00.0: mlx5_pci_err_detected: Device state = 2 health sensors: 1 pci_status: 1",
  "[ 12.1] DMAR: [DMA Write NO_PASID] Request device [5e:00.0] fault addr 0x7ee9f8000 [fault reason 0x05] PTE Write access is not set",
  "[ 13.2] Offlined Pages 256",
  "[ 14.3] kernel BUG at mm/slub.c:433!",
  "[ 15.4] WARNING: CPU: 1 PID: 1 at net/core/skbuff.c:123 skb_release+0x10/0x20",
  "[ 16.5] ---[ end trace 0000000000000000 ]---",
  "<4>[ 17.6] Unable to handle kernel paging request for data at address 0xc00000000f000010",
  "[ 18.7] Faulting instruction address: 0xc0000000004a5b2c",
  "[ 19.8] NIP [c0000000004a5b2c] __d_lookup_rcu+0x8c/0x230",
  "[ 20.9] LR [c0000000004a5a30] lookup_fast+0x60/0x1c0",
  "[ 21.0] Linux version 6.12.0 (mockbuild@build.example.com) (gcc (GCC) 14.2.1) #1 SMP",
];

const FTRACE = [
  "# tracer: nop",
  "  kworker/u130:2-1187    [008] .....  2985.090459: dma_map_page: 0000:5e:00.0 dir=FROM_DEVICE dma_addr=80000000 size=4096 phys_addr=52a405000 attrs=",
  " systemd-journal-811     [007] .....  2987.303579: mm_page_alloc: page=0000298b6fe63028 pfn=0x6494a8 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
  "            sshd-2214    [011] .....  2987.611554: mm_page_free: page=0000298b6fe63028 pfn=0x6494a8 order=0",
  "     Web Content-5678    (   5600) [002] ....  1.500000: mm_page_free: pfn=1155800 order=0",
  "  my-odd-task-name-77  [004]   9.000000: map: IOMMU: iova=0x00000000fe980000 - 0x00000000fea00000 paddr=0x000000010ec80000 size=524288",
  "CPU:3 [LOST 1842 EVENTS]",
];
const TRACE_CMD = [
  "cpus=16",
  "  kworker/u130:2-1187  [008]  2985.090459: dma_map_page:        0000:5e:00.0 dir=FROM_DEVICE dma_addr=80000000 size=4096 phys_addr=52a405000 attrs=",
  "    kworker/3:1H-402   [003]  2985.877256: sched_switch:        prev_comm=kworker/3:1H prev_pid=402 prev_prio=120 prev_state=S ==> next_comm=x next_pid=1 next_prio=120",
  "            sshd-2214  [011]  2987.611554: mm_page_free:        page=0000298b6fe63028 pfn=0x6494a8 order=0",
  "CPU:3 [LOST 1842 EVENTS]",
];
const JSONL = [
  '{"ts":2985.090459,"cpu":8,"task":"kworker/u130:2","pid":1187,"event":"dma_map","pfn":"0x52a405","npages":1,"device":"0000:5e:00.0","driver":"ice","dma_addr":"0x80000000","size":4096}',
  '{"ts":2987.303579,"cpu":7,"task":"systemd-journal","pid":811,"event":"page_alloc","pfn":"0x6494a8","npages":1}',
  '{"ts":2987.611554,"cpu":11,"task":"sshd","pid":2214,"event":"page_free","pfn":"0x6494a8","npages":1}',
  '{"ts":1,"event":"lost","cpu":3,"count":5}',
];
const HEXDUMP = [
  "7ee9f7000  00 70 9f ee 87 88 ff ff  08 70 9f ee 87 88 ff ff  |.p.......p......|",
  "*",
  "7ee9f7040  c0 58 e0 f1 87 88 ff ff  80 3e dc af 87 88 ff ff  |.X.......>......|",
  "7ee9f7050",
];
const XXD = ["7ee9f7000: 0070 9fee 8788 ffff 0870 9fee 8788 ffff  .p.......p......", "00001000: 0102 0304  ...."];
const RD = ["       7ee9f7000:  ffff8887ee9f7000 ffff8887ee9f7008   .p.......p......", "ffff888000001000:  0000000000000000 0000000000000011   ................"];
const SYMBOLS = ["ffffffff81000000 T _stext", "ffffffff81000240 t do_one_initcall", "ffffffffc0a01000 t mlx5_eq_int\t[mlx5_core]"];
const LSPCI = [
  "5e:00.0 Ethernet controller: Intel Corporation Ethernet Controller E810-C for QSFP (rev 02)",
  "\tSubsystem: Intel Corporation Ethernet Network Adapter E810-C-Q2",
  "\tKernel driver in use: ice",
  "\tKernel modules: ice",
  "0003:01:00.0 Infiniband controller [0207]: Mellanox Technologies MT28908 Family [ConnectX-6] [15b3:101b]",
];
const MAINTAINERS = [
  "MELLANOX MLX5 core VPI driver",
  "M:\tSaeed Mahameed <saeedm@nvidia.com>",
  "L:\tnetdev@vger.kernel.org",
  "S:\tSupported",
  "F:\tdrivers/net/ethernet/mellanox/mlx5/core/",
  "N:\tmlx5",
  "K:\t\\b(?:mlx5|ConnectX)\\b",
  "X:\tdrivers/net/ethernet/mellanox/mlx5/core/en/",
];
const CODEOWNERS = ["# owners", "/drivers/net/**/mlx5/ @acme/net-team", "*.c @alice", "docs/**/[a-z]*.md @bob", "\\#file @carol"];
const MARKDOWN = [
  "```",
  "~~~text",
  "   ````c",
  "> ```",
  "- ~~~",
  "log: https://github.com/user-attachments/files/123/console.log",
  "[trace](https://github.com/acme/kernel/files/9/trace.txt.gz)",
  "<https://gist.githubusercontent.com/a/b/raw/c/dmesg.txt>",
  "/casefile rerun",
  "/casefile owner area:net",
  "> /casefile wrong stale-dma",
  "`inline` code with `` two ticks ``",
];
const CONFIG = [
  "trigger:",
  "  labels: [crash, kernel-crash]",
  "artifacts:",
  "  max_file_bytes: 1048576",
  "  allowed_hosts: [\"*.example.org\"]",
  "owners:",
  "  - match: { driver: mlx5_core }",
  "    owner: \"@acme/net\"",
  "    label: area:net",
  "    assign: true",
  "rules:",
  "  - name: r",
  "    within: 2s",
];
const RULES = ["- name: stale", "  steps:", "    - event: dma_map", "      as: m", "    - event: page_free", "      where: { pfn: $m.pfn }", "  within: 5s"];

function traceArtifact(kind: ArtifactKind, text: string): Artifact {
  const buf = Buffer.from(text, "utf8");
  return { name: "t", kind, bytes: buf.length, head: buf.subarray(0, 65536), open: () => Readable.from([buf]), warnings: [] };
}

const traceInput = {
  frames: [0x6494a8n],
  machine: ARCH_DEFAULTS.x86_64,
  rules: [],
  devices: [],
  layoutEvents: [],
  region: null,
  crashTs: null,
};

const configError = (err: unknown) => err instanceof Error && err.name === "ConfigError";

export const PARSERS: TextParser[] = [
  {
    name: "console log (parseConsoleLog)",
    samples: CONSOLE,
    extra: (size) => [
      { label: "a frame of .1.1.1... (signature suffix pattern)", text: `[ 1.0] RIP: 0010:f${".1".repeat(size / 2 - 20)}x+0x1/0x2` },
      { label: "one stack line of ? ? ? ...", text: `[ 1.0] Call Trace:\n[ 1.1] ${"? ".repeat(size / 2 - 20)}` },
    ],
    run: async (t) => {
      const facts = parseConsoleLog(t, "console.log");
      // The signature and guilty-file scan run on the same hostile report text.
      const title = facts.crash?.title ?? t.slice(0, 4096);
      crashSignature({ verdict: "inconclusive", driver: null, guiltyFrame: facts.crash?.frame ?? t.slice(0, 4096), title });
      return guiltyFile(t);
    },
  },
  { name: "lspci -k (parseLspci)", samples: LSPCI, run: async (t) => parseLspci(t, "lspci") },
  { name: "ftrace (scanTraces)", samples: FTRACE, run: (t) => scanTraces([traceArtifact("ftrace", t)], traceInput) },
  { name: "trace-cmd report (scanTraces)", samples: TRACE_CMD, run: (t) => scanTraces([traceArtifact("trace-cmd", t)], traceInput) },
  { name: "JSONL events (scanTraces)", samples: JSONL, run: (t) => scanTraces([traceArtifact("jsonl-events", t)], traceInput) },
  { name: "hexdump -C (readHexdumpText)", samples: HEXDUMP, run: async (t) => readHexdumpText(t, "m.hex") },
  { name: "xxd (readXxdText)", samples: XXD, run: async (t) => readXxdText(t, "m.xxd") },
  { name: "crash rd (readCrashRdText)", samples: RD, run: async (t) => readCrashRdText(t, "m.rd", "little") },
  { name: "System.map / kallsyms (SymbolMap.parse)", samples: SYMBOLS, run: async (t) => SymbolMap.parse(t) },
  { name: "MAINTAINERS (parseMaintainers)", samples: MAINTAINERS, run: async (t) => parseMaintainers(t) },
  {
    name: "CODEOWNERS (parseCodeowners)",
    samples: CODEOWNERS,
    run: async (t) => parseCodeowners(t),
    // Both were quadratic before 941ea64.
    extra: (size) => [
      { label: "an owner e-mail of dots ending in @", text: `x a@${".".repeat(size - 5)}@` },
      { label: "a pattern of [ without ]", text: "[".repeat(size) },
    ],
  },
  {
    name: "Markdown body (ingest fences, bot scan, links, commands, crash detection)",
    samples: MARKDOWN,
    run: async (t) => [extractFencedBlocks(t), textOutsideFences(t), scanMarkdown(t), extractArtifactRefs(t, "issue body"), parseCommands(t), looksLikeKernelCrash(t)],
  },
  { name: "content sniffing (sniffKind, first 64 KiB)", samples: [...CONSOLE, ...FTRACE, ...SYMBOLS, ...MAINTAINERS], run: async (t) => sniffKind(Buffer.from(t).subarray(0, 65536)) },
  // The `yaml` package is quadratic on runs of flow indicators (32 KiB of "]" take ~3 s), so
  // these two get 16 KiB inputs. Both read only local, trusted files (CLI --config, built-in
  // rules); the bot reads .github/casefile.yml through Probot's js-yaml, which is linear.
  { name: ".github/casefile.yml (parseConfig)", samples: CONFIG, run: async (t) => parseConfig(t), expectedError: configError, size: 16 * 1024 },
  { name: "rules YAML (parseRules)", samples: RULES, run: async (t) => parseRules(t, "rules.yml"), expectedError: configError, size: 16 * 1024 },
];

/** A small seeded generator so the inputs are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function repeatTo(unit: string, size: number): string {
  if (unit.length === 0) return "";
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** The longest run of the characters `cls` in `s`, widened to `size` characters. */
function widen(s: string, cls: RegExp, size: number): string | null {
  let best: RegExpExecArray | null = null;
  for (const m of s.matchAll(new RegExp(cls.source, "g"))) if (!best || m[0].length > best[0].length) best = m as RegExpExecArray;
  if (!best) return null;
  const fill = repeatTo(best[0][0], size - (s.length - best[0].length));
  return s.slice(0, best.index) + fill + s.slice(best.index + best[0].length);
}

export interface WorstCase {
  label: string;
  text: string;
}

/** All worst cases of one parser, at its size. */
export function casesOf(parser: TextParser, size = parser.size ?? MiB): WorstCase[] {
  return [...worstCases(parser.samples, size), ...(parser.extra?.(size) ?? [])];
}

/** The worst-case inputs built from sample lines, each about `size` characters. */
export function worstCases(samples: readonly string[], size = MiB): WorstCase[] {
  const out: WorstCase[] = [];
  const specials = new Set<string>([" ", "\t", "0", "a", "\u0000", "\ufffd"]);
  for (const s of samples) for (const c of s) if (!/[A-Za-z0-9]/.test(c)) specials.add(c);
  for (const c of specials) out.push({ label: `one line of ${JSON.stringify(c)}`, text: repeatTo(c, size) });
  out.push({ label: "1 MiB of empty lines", text: "\n".repeat(size) });
  out.push({ label: "1 MiB of CR LF", text: "\r\n".repeat(size / 2) });
  samples.forEach((s, i) => {
    const half = s.slice(0, Math.max(1, Math.floor(s.length * 0.6)));
    out.push({ label: `sample ${i} prefix repeated on one line`, text: repeatTo(half, size) });
    out.push({ label: `sample ${i} repeated as lines`, text: repeatTo(s + "\n", size) });
    const ws = widen(s, /[ \t]+/, size);
    if (ws) out.push({ label: `sample ${i} whitespace widened`, text: ws });
    const hex = widen(s, /[0-9a-fA-F]+/, size);
    if (hex) out.push({ label: `sample ${i} digits widened`, text: hex });
    const word = widen(s, /[A-Za-z_]+/, size);
    if (word) out.push({ label: `sample ${i} word widened`, text: word });
  });
  const r = rng(samples.length);
  const lines: string[] = [];
  let n = 0;
  while (n < size) {
    const s = samples[Math.floor(r() * samples.length)];
    const cut = s.slice(0, Math.floor(r() * (s.length + 1)));
    lines.push(cut);
    n += cut.length + 1;
  }
  out.push({ label: "lines cut at random positions", text: lines.join("\n") });
  out.push({ label: "all samples on one line, repeated", text: repeatTo(samples.join(" "), size) });
  return out;
}

/** Runs one case; returns the elapsed milliseconds, rethrowing anything not designed. */
export async function runCase(parser: TextParser, text: string): Promise<number> {
  const t0 = performance.now();
  try {
    await parser.run(text);
  } catch (err) {
    if (!parser.expectedError?.(err)) throw err;
  }
  return performance.now() - t0;
}
