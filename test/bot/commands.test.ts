import { describe, expect, it } from "vitest";
import { parseCommands } from "../../src/bot/commands.js";

describe("parseCommands", () => {
  it("reads commands at the start of a line", () => {
    expect(parseCommands("/casefile rerun")).toEqual([{ kind: "rerun" }]);
    expect(parseCommands("thanks!\n/casefile explain\n")).toEqual([{ kind: "explain" }]);
    expect(parseCommands("/casefile owner owner:rdma")).toEqual([{ kind: "owner", label: "owner:rdma" }]);
    expect(parseCommands("/casefile wrong crash:stale-dma")).toEqual([{ kind: "wrong", verdict: "stale-dma" }]);
  });

  it("ignores commands inside code blocks, quotes, or mid-line", () => {
    expect(parseCommands("```\n/casefile rerun\n```")).toEqual([]);
    expect(parseCommands("~~~~\n/casefile rerun\n~~~~")).toEqual([]);
    expect(parseCommands("> /casefile rerun")).toEqual([]);
    expect(parseCommands("please run /casefile rerun")).toEqual([]);
    expect(parseCommands("    \n```text\nunclosed\n/casefile rerun")).toEqual([]);
  });

  it("explains what is wrong with a bad command instead of guessing", () => {
    const [bad] = parseCommands("/casefile wrong maybe-dma");
    expect(bad.kind).toBe("invalid");
    expect(bad.kind === "invalid" && bad.problem).toMatch(/stale-dma/);
    expect(parseCommands("/casefile frobnicate")[0]).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/unknown command `frobnicate`/) });
    expect(parseCommands("/casefile owner")[0]).toMatchObject({ kind: "invalid" });
  });

  it("keeps a repeated command once", () => {
    expect(parseCommands("/casefile rerun\n/casefile rerun")).toEqual([{ kind: "rerun" }]);
  });

  it("stays linear on hostile input", () => {
    const body = "/casefile " + " ".repeat(200_000) + "x\n".repeat(1000) + "`".repeat(100_000);
    expect(parseCommands(body).length).toBeGreaterThan(0);
  });
});
