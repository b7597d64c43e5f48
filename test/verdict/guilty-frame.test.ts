import { describe, expect, it } from "vitest";
import type { CrashReport } from "../../src/analysis/model/crash.js";
import { guiltyFrame } from "../../src/analysis/verdict/guilty-frame.js";

const crash = (frame: string | null, stack: string[]) => ({ frame, stack }) as unknown as CrashReport;

describe("guiltyFrame", () => {
  it("keeps the frame the title names", () => {
    expect(guiltyFrame(crash("tcp_retransmit_timer", ["kfree"]))).toBe("tcp_retransmit_timer");
  });

  it("blames the caller of the allocator a SLUB report was raised in", () => {
    const stack = ["dump_stack_lvl", "check_bytes_and_report", "check_object", "free_debug_processing", "free_to_partial_list", "__slab_free", "kfree", "tcp_retransmit_timer", "tcp_write_timer"];
    expect(guiltyFrame(crash(null, stack))).toBe("tcp_retransmit_timer");
  });

  it("otherwise skips reporting and helper frames", () => {
    expect(guiltyFrame(crash(null, ["dump_stack", "print_report", "memcpy", "ext4_readdir"]))).toBe("ext4_readdir");
    expect(guiltyFrame(crash(null, ["print_bad_pte", "vm_normal_page", "zap_pte_range"]))).toBe("zap_pte_range");
    expect(guiltyFrame(null)).toBeNull();
  });
});
