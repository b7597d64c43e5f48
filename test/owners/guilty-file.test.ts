import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crashReportLines, guiltyFile, isNeverGuilty } from "../../src/analysis/owners/guilty-file.js";

const kasanReport = `==================================================================
BUG: KASAN: use-after-free in mlx5e_poll_rx_cq+0x1c/0x80 drivers/net/ethernet/mellanox/mlx5/core/en_rx.c:1402
Read of size 8 at addr ffff888012345678 by task kworker/u9:0/4242

Call Trace:
 __dump_stack lib/dump_stack.c:88 [inline]
 dump_stack_lvl+0x1b1/0x28e lib/dump_stack.c:106
 print_address_description+0x70/0x29c mm/kasan/report.c:230
 kasan_report+0x104/0x200 mm/kasan/report.c:413
 mlx5e_poll_rx_cq+0x1c/0x80 drivers/net/ethernet/mellanox/mlx5/core/en_rx.c:1402
 net_rx_action+0x3a/0x90 net/core/dev.c:6900
`;

describe("guiltyFile", () => {
  it("skips the sanitizer and dump_stack frames and blames the driver", () => {
    expect(guiltyFile(kasanReport)).toBe("drivers/net/ethernet/mellanox/mlx5/core/en_rx.c");
  });

  it("skips allocator, locking, header and lib frames", () => {
    const report = `BUG: sleeping function called from invalid context at mm/slab.c:3000
Call Trace:
 spin_lock include/linux/spinlock.h:349 [inline]
 _raw_spin_lock+0x54/0x6c kernel/locking/spinlock.c:154
 kmalloc+0x1/0x2 mm/slub.c:12
 memcpy+0x1/0x2 lib/string.c:10
 ext4_htree_fill_tree+0x10/0x90 fs/ext4/dir.c:570
`;
    expect(guiltyFile(report)).toBe("fs/ext4/dir.c");
  });

  it("ignores where locks were taken and where interrupts were last switched", () => {
    const report = `BUG: sleeping function called from invalid context at kernel/sched/core.c:1
2 locks held by syz/1:
 #0: ffff0000 (sk_lock-AF_ALG){+.+.}, at: af_alg_wait_for_data+0x2f2/0x650 crypto/af_alg.c:768
hardirqs last  enabled at (331): [<00000000eed64b41>] foo_enable+0x1/0x2 drivers/foo/foo.c:1
Call Trace:
 blkcipher_walk_done+0x72b/0xde0 crypto/blkcipher.c:139
`;
    expect(guiltyFile(report)).toBe("crypto/blkcipher.c");
  });

  it("keeps only the crash's printk context and drops unreliable ? frames", () => {
    const report = `[   10.000001][ T100] some unrelated line drivers/other/noise.c:1
[   10.000002][ T200] BUG: KASAN: slab-out-of-bounds in bar+0x1/0x2
[   10.000003][ T100] other_task+0x1/0x2 drivers/other/task.c:5
[   10.000004][ T200]  ? unreliable_frame+0x1/0x2 drivers/stale/stale.c:9
[   10.000005][ T200]  bar+0x1/0x2 drivers/bar/bar.c:42
`;
    expect(guiltyFile(report)).toBe("drivers/bar/bar.c");
  });

  it("falls back to the first file when every frame is infrastructure", () => {
    expect(guiltyFile("BUG: Invalid wait context\n at: spin_lock include/linux/spinlock.h:354 [inline]\n lock+0x1/0x2 kernel/locking/lockdep.c:5\n")).toBe(
      "include/linux/spinlock.h",
    );
  });

  it("returns null when the report names no source file", () => {
    expect(guiltyFile("WARNING: possible circular locking dependency detected\n lock_acquire+0x20b/0x600\n")).toBeNull();
    expect(guiltyFile("")).toBeNull();
  });

  it("cuts a checkout prefix but keeps paths outside the kernel tree", () => {
    expect(guiltyFile("BUG: x\n foo+0x1/0x2 linux-src-3.18/net/netlink/genetlink.c:10\n")).toBe("net/netlink/genetlink.c");
    expect(guiltyFile("BUG: x\n foo+0x1/0x2 /build/linux/drivers/md/dm.c:10\n")).toBe("drivers/md/dm.c");
    expect(isNeverGuilty("trusty/kernel/lib/trusty/ipc.c")).toBe(true);
  });

  it("stops before the panic_on_warn restatement once the real report is long enough", () => {
    const frames = Array.from({ length: 25 }, (_, i) => ` f${i}+0x1/0x2 lib/x.c:${i}`).join("\n");
    const report = `WARNING: CPU: 0 PID: 1 at lib/x.c:1 f+0x1/0x2\n${frames}\nKernel panic - not syncing: panic_on_warn set ...\n g+0x1/0x2 drivers/late/late.c:1\n`;
    expect(crashReportLines(report).some((l) => l.includes("late.c"))).toBe(false);
    expect(guiltyFile(report)).toBe("lib/x.c");
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        const got = guiltyFile(text);
        expect(got === null || typeof got === "string").toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom("BUG: x", " f+0x1/0x2 a/b.c:1", "[ 1.0][ T1] ", " ? ", "#0: at: x.c:1", ":", "\r", "../../x.h:3"), { maxLength: 30 }), (parts) => {
        guiltyFile(parts.join("\n"));
      }),
    );
  });
});
