import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crashSignature, normalizeFrame, titleKind } from "../../src/analysis/signature/crash-signature.js";

describe("crashSignature", () => {
  it("has the contract's shape: verdict|driver|frame, then the kind of crash", () => {
    expect(crashSignature({ verdict: "stale-dma", driver: "mlx5_core", guiltyFrame: "__handle_mm_fault", title: "BUG: Bad page map in java" })).toBe(
      "stale-dma|mlx5_core|__handle_mm_fault|bug-bad-page-map",
    );
    expect(crashSignature({ verdict: "inconclusive", driver: null, guiltyFrame: null, title: null })).toBe("inconclusive|-|-|-");
  });

  it("is the same for two runs of one bug on different machines", () => {
    const run1 = crashSignature({
      verdict: "use-after-free",
      driver: "mlx5_core",
      guiltyFrame: "mlx5e_poll_rx_cq+0x1c/0x80 [mlx5_core]",
      title: "BUG: Bad page state in process kworker/u9:0  pfn:54d7",
    });
    const run2 = crashSignature({
      verdict: "use-after-free",
      driver: "mlx5_core",
      guiltyFrame: "mlx5e_poll_rx_cq.isra.12+0x2c/0x90",
      title: "BUG: Bad page state in process kworker/3:1H  pfn:1a2b3",
    });
    expect(run1).toBe(run2);
    expect(run1).toBe("use-after-free|mlx5_core|mlx5e_poll_rx_cq|bug-bad-page-state-pfn");
  });

  it("drops timestamps, pids, CPU numbers, addresses, hashed pointers and taint flags from the title", () => {
    expect(titleKind("[  123.456789] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [syz-executor.2:3705]")).toBe(
      titleKind("watchdog: BUG: soft lockup - CPU#0 stuck for 142s! [kworker/0:1:42]"),
    );
    expect(titleKind("general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN")).toBe(
      titleKind("general protection fault, probably for non-canonical address 0xdffffc0000000003: 0000 [#2] SMP"),
    );
    expect(titleKind("INFO: task syz-executor6:9207 blocked for more than 120 seconds.")).toBe(titleKind("INFO: task syz-executor.1:31 blocked for more than 143 seconds."));
    expect(titleKind("BUG kmalloc-128 (Not tainted): Poison overwritten")).toBe(titleKind("BUG kmalloc-128 (Tainted: G        W ): Poison overwritten"));
    expect(titleKind("kernel BUG at mm/slub.c:1234!")).toBe(titleKind("kernel BUG at mm/slub.c:1301!"));
    expect(titleKind("unable to handle page at (____ptrval____)")).toBe(titleKind("unable to handle page at 00000000a1b2c3d4"));
  });

  it("normalises frames: offsets, clones and module tags", () => {
    expect(normalizeFrame("mlx5e_napi_poll.cold+0x1c/0x80 [mlx5_core]")).toBe("mlx5e_napi_poll");
    expect(normalizeFrame("[<ffffffff81234567>] ext4_htree_fill_tree.constprop.0.isra.3+0x10/0x90")).toBe("ext4_htree_fill_tree");
    expect(normalizeFrame(null)).toBeNull();
  });

  it("uses the function a syzbot title names when the guilty frame is unknown", () => {
    expect(crashSignature({ verdict: "use-after-free", driver: null, guiltyFrame: null, title: "KASAN: use-after-free Read in ip6_fragment" })).toBe(
      "use-after-free|-|ip6_fragment|kasan-use-after-free-read",
    );
  });

  it("never contains the separator inside a part, and never throws", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 60 })), fc.option(fc.string({ maxLength: 60 })), fc.option(fc.string({ maxLength: 120 })), (driver, frame, title) => {
        const sig = crashSignature({ verdict: "bit-flip", driver, guiltyFrame: frame, title });
        expect(sig.split("|")).toHaveLength(4);
        expect(sig).not.toMatch(/\s/);
      }),
      { numRuns: 500 },
    );
  });
});

// Real syzbot titles (syzkaller corpus, Apache-2.0): reports with the same title are one bug,
// different titles are different bugs; the signature must keep both apart the same way.
describe("crashSignature on the syzkaller report corpus", () => {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../..", "../shared/corpus/syzkaller/linux-report");
  const titles = readdirSync(dir)
    .map((f) => /^TITLE: (.*)$/m.exec(readFileSync(join(dir, f), "utf8"))?.[1]?.trim())
    .filter((t): t is string => !!t && !/corrupted|^unexpected kernel reboot|^lost connection/.test(t));
  const sig = (title: string): string => crashSignature({ verdict: "software-corruption", driver: null, guiltyFrame: null, title });

  it("reads hundreds of titles", () => {
    expect(titles.length).toBeGreaterThan(300);
  });

  it("gives every report of one title the same signature", () => {
    const byTitle = new Map<string, Set<string>>();
    for (const t of titles) byTitle.set(t, (byTitle.get(t) ?? new Set()).add(sig(t)));
    expect([...byTitle.values()].every((s) => s.size === 1)).toBe(true);
    expect([...byTitle.keys()].filter((t) => byTitle.get(t)!.size > 1)).toEqual([]);
  });

  it("gives different titles different signatures (except titles that differ only in numbers)", () => {
    const bySig = new Map<string, Set<string>>();
    for (const t of new Set(titles)) bySig.set(sig(t), (bySig.get(sig(t)) ?? new Set()).add(t));
    const merged = [...bySig.values()].filter((s) => s.size > 1).map((s) => [...s]);
    const onlyNumbers = (group: string[]): boolean => new Set(group.map((t) => t.replace(/\d+/g, "N"))).size === 1;
    expect(merged.filter((g) => !onlyNumbers(g))).toEqual([]);
  });
});
