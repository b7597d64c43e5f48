import { describe, expect, it } from "vitest";
import { archFromRelease, resolveMachine } from "../../src/analysis/model/machine.js";

describe("resolveMachine", () => {
  it("falls back to the arch's defaults: 64K pages and 128-byte lines on POWER", () => {
    const m = resolveMachine([{ arch: "ppc64le" }]);
    expect(m).toMatchObject({ arch: "ppc64le", pageSize: 65536, cacheLine: 128, endianness: "little" });
  });

  it("reads the arch from a distribution kernel release when nothing else says it", () => {
    expect(resolveMachine([{ kernel: "6.12.0-55.9.1.el10_0.ppc64le" }]).arch).toBe("ppc64le");
    expect(archFromRelease("5.14.0-427.el9.aarch64")).toBe("arm64");
    expect(archFromRelease("6.8.0-rc1")).toBeNull();
  });

  it("lets explicit settings win over the bundle, and the first hint over later ones", () => {
    const hints = [{ arch: "ppc64le" as const, pageSize: 4096 }, { arch: "x86_64" as const }];
    expect(resolveMachine(hints).pageSize).toBe(4096);
    expect(resolveMachine(hints, { arch: "x86_64" })).toMatchObject({ arch: "x86_64", pageSize: 4096 });
    expect(resolveMachine(hints, { pageSize: 65536 }).pageSize).toBe(65536);
  });
});
