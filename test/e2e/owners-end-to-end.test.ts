/**
 * Likely owner end to end through the built CLI with `--config FILE`: owner rules by each match
 * key (first match primary, every match listed with its reason, owner labels on the verdict),
 * the MAINTAINERS fallback (config `maintainers:` relative to the repository that holds
 * `.github/casefile.yml`), the CODEOWNERS fallback (a CODEOWNERS file in the bundle), and
 * configs that must be refused with exit 2 and one line naming the problem.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casefileVerdictSchema, verdictProblems, type CasefileVerdictJson } from "../../src/analysis/model/casefile-verdict-schema.js";
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, jsonLines, runCli, type CliResult } from "./build-once.js";

/** Symbolised syzkaller report (Apache-2.0, see test/fixtures/e2e/README.md): function and file known. */
const GUILTY = join(ROOT, "test/fixtures/e2e/syzkaller-guilty-45-cm109.txt");
const GUILTY_FILE = "drivers/input/misc/cm109.c";
const GUILTY_FUNCTION = "cm109_submit_buzz_toggle";

let root: string;
/** A simulated stale DMA by the ice NIC: driver, device and modules known. */
let nic: string;

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "casefile-e2e-owners-"));
  nic = join(root, "nic");
  const sim = await runCli(["simulate", "stale-dma-x86-nic", "--out", nic, "--seed", "7", "--noise", "400"]);
  if (sim.code !== 0) throw new Error(`casefile simulate failed: ${sim.stderr}`);
  await rm(join(nic, "truth.json"));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function writeConfig(name: string, yaml: string): Promise<string> {
  const path = join(root, `${name}.yml`);
  await writeFile(path, yaml);
  return path;
}

async function analyze(bundle: string[], config?: string): Promise<CasefileVerdictJson> {
  const run = await runCli(["analyze", ...bundle, "--json", ...(config ? ["--config", config] : [])]);
  expect(run.code, run.stderr).toBe(0);
  const [verdict] = jsonLines(run.stdout) as CasefileVerdictJson[];
  expect(verdictProblems(verdict, casefileVerdictSchema)).toEqual([]);
  return verdict!;
}

/** Rules: a decoy on the same key that must not match, the deciding rule, then a catch-all on the verdict. */
function keyConfig(key: string, decoy: string, pattern: string, verdict: string): string {
  return [
    "owners:",
    `  - match: { ${key}: "${decoy}" }`,
    '    owner: "@acme/decoy"',
    '    label: "owner:decoy"',
    `  - match: { ${key}: "${pattern}" }`,
    `    owner: "@acme/by-${key}"`,
    `    label: "owner:${key}"`,
    "    assign: true",
    `  - match: { verdict: ${verdict} }`,
    '    owner: "@acme/by-verdict"',
    '    label: "owner:verdict"',
    "",
  ].join("\n");
}

describe("owner rules decide by each match key", () => {
  const cases = [
    { key: "driver", bundle: () => [nic], decoy: "mlx5_*", pattern: "ic?", reason: "driver ice matches ic?", verdict: "stale-dma" },
    { key: "device", bundle: () => [nic], decoy: "0001:*", pattern: "0000:5e:*", reason: "device 0000:5e:00.0 matches 0000:5e:*", verdict: "stale-dma" },
    { key: "module", bundle: () => [nic], decoy: "mlx5_*", pattern: "irdma", reason: "module irdma matches irdma", verdict: "stale-dma" },
    { key: "function", bundle: () => [GUILTY], decoy: "ext4_*", pattern: "cm109_*", reason: `function ${GUILTY_FUNCTION} matches cm109_*`, verdict: "inconclusive" },
    { key: "file", bundle: () => [GUILTY], decoy: "drivers/net/**", pattern: "drivers/input/**", reason: `file ${GUILTY_FILE} matches drivers/input/**`, verdict: "inconclusive" },
  ];
  for (const c of cases) {
    it(`${c.key}: the ${c.key} rule is the primary owner, the verdict rule is listed after it, the decoy not at all`, async () => {
      const config = await writeConfig(c.key, keyConfig(c.key, c.decoy, c.pattern, c.verdict));
      const v = await analyze(c.bundle(), config);
      expect(v.verdict).toBe(c.verdict);
      expect(v.owners).toEqual([
        { owner: `@acme/by-${c.key}`, label: `owner:${c.key}`, reason: c.reason, assign: true },
        { owner: "@acme/by-verdict", label: "owner:verdict", reason: `verdict is ${c.verdict}` },
      ]);
      const needsInfo = c.verdict === "inconclusive" ? ["crash:needs-info"] : [];
      expect([...v.labels].sort()).toEqual([`crash:${c.verdict}`, ...needsInfo, `owner:${c.key}`, "owner:verdict"].sort());
      expect(v.labels[0]).toBe(`crash:${c.verdict}`);
      expect(v.labels).not.toContain("owner:decoy");
    });
  }

  it("verdict: a rule on the verdict decides when nothing else matches, and several keys in one match must all hold", async () => {
    const config = await writeConfig(
      "verdict",
      [
        "owners:",
        '  - match: { verdict: bit-flip }',
        '    owner: "@acme/decoy"',
        '  - match: { driver: "ice", verdict: bit-flip }',
        '    owner: "@acme/decoy-both"',
        '  - match: { verdict: stale-dma }',
        '    owner: "@acme/platform"',
        '    label: "owner:platform"',
        "",
      ].join("\n"),
    );
    const v = await analyze([nic], config);
    expect(v.owners).toEqual([{ owner: "@acme/platform", label: "owner:platform", reason: "verdict is stale-dma" }]);
    expect(v.labels).toEqual(["crash:stale-dma", "owner:platform"]);
  });

  it("gives no owner and only the verdict label when no rule matches and there is no fallback", async () => {
    const config = await writeConfig("none", keyConfig("driver", "mlx5_*", "nvme*", "bit-flip"));
    const v = await analyze([nic], config);
    expect(v.owners).toEqual([]);
    expect(v.labels).toEqual(["crash:stale-dma"]);
  });
});

describe("fallbacks when no owner rule matches", () => {
  const MAINTAINERS = [
    "INPUT (KEYBOARD, MOUSE, JOYSTICK, TOUCHSCREEN) DRIVERS",
    "M:\tInput Maintainer <input@example.org>",
    "L:\tlinux-input@example.org",
    "S:\tMaintained",
    "F:\tdrivers/input/",
    "",
    "CM109 USB PHONE DRIVER",
    "M:\tPhone Maintainer <phone@example.org>",
    "S:\tMaintained",
    "F:\tdrivers/input/misc/cm109.c",
    "",
    "NETWORKING DRIVERS",
    "M:\tNet Maintainer <net@example.org>",
    "S:\tMaintained",
    "F:\tdrivers/net/",
    "",
  ].join("\n");

  it("MAINTAINERS, named by the config relative to the repository holding .github/casefile.yml: most specific section first", async () => {
    const repo = join(root, "repo");
    await mkdir(join(repo, ".github"), { recursive: true });
    await writeFile(join(repo, "MAINTAINERS"), MAINTAINERS);
    const config = join(repo, ".github/casefile.yml");
    await writeFile(config, ['owners:', '  - match: { driver: "mlx5_*" }', '    owner: "@acme/rdma"', "maintainers: MAINTAINERS", ""].join("\n"));
    // Run from elsewhere: the path must resolve against the repository, not the working directory.
    const run = await runCli(["analyze", GUILTY, "--json", "--config", config], { cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const v = jsonLines(run.stdout)[0] as CasefileVerdictJson;
    expect(verdictProblems(v)).toEqual([]);
    expect(v.guilty_file).toBe(GUILTY_FILE);
    expect(v.owners.map((o) => o.owner)).toEqual(["Phone Maintainer <phone@example.org>", "Input Maintainer <input@example.org>"]);
    expect(v.owners[0]!.reason).toBe("MAINTAINERS: CM109 USB PHONE DRIVER, F: drivers/input/misc/cm109.c");
    expect(v.owners[1]!.reason).toContain("F: drivers/input/");
    expect(v.owners.every((o) => o.label === null)).toBe(true);
    expect(v.labels).toEqual(["crash:inconclusive", "crash:needs-info"]);
  });

  it("an owner rule that matches wins over MAINTAINERS", async () => {
    const repo = join(root, "repo-rule");
    await mkdir(join(repo, ".github"), { recursive: true });
    await writeFile(join(repo, "MAINTAINERS"), MAINTAINERS);
    const config = join(repo, ".github/casefile.yml");
    await writeFile(config, ['owners:', '  - match: { file: "drivers/input/**" }', '    owner: "@acme/input"', '    label: "owner:input"', "maintainers: MAINTAINERS", ""].join("\n"));
    const v = await analyze([GUILTY], config);
    expect(v.owners).toEqual([{ owner: "@acme/input", label: "owner:input", reason: `file ${GUILTY_FILE} matches drivers/input/**` }]);
  });

  it("a config naming a MAINTAINERS file that does not exist: exit 2 with one line that names it", async () => {
    const config = await writeConfig("missing-maintainers", "maintainers: NO-SUCH-MAINTAINERS\n");
    const run = await runCli(["analyze", GUILTY, "--json", "--config", config]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("NO-SUCH-MAINTAINERS");
  });

  it("CODEOWNERS in the bundle, recognised by its content: the last matching pattern's owners", async () => {
    const bundle = join(root, "with-codeowners");
    await mkdir(bundle, { recursive: true });
    await copyFile(GUILTY, join(bundle, "console.txt"));
    await writeFile(
      join(bundle, "CODEOWNERS"),
      ["# Owners of the kernel tree", "*                     @acme/kernel-leads", "/drivers/input/       @acme/input", "/drivers/input/misc/cm109.c  @jane @acme/phones", "/drivers/net/         @acme/netdev", ""].join("\n"),
    );
    const config = await writeConfig("no-match", 'owners:\n  - match: { driver: "mlx5_*" }\n    owner: "@acme/rdma"\n');
    const v = await analyze([bundle], config);
    expect(v.artifacts.find((a) => a.name.endsWith("CODEOWNERS"))?.kind).toBe("codeowners");
    expect(v.guilty_file).toBe(GUILTY_FILE);
    expect(v.owners.map((o) => o.owner)).toEqual(["@jane", "@acme/phones"]);
    expect(v.owners[0]!.reason).toMatch(/CODEOWNERS:4: drivers\/input\/misc\/cm109\.c matches \/drivers\/input\/misc\/cm109\.c$/);
    expect(v.labels).toEqual(["crash:inconclusive", "crash:needs-info"]);
  });
});

describe("configs that are refused", () => {
  async function refused(yaml: string): Promise<CliResult> {
    const config = await writeConfig(`bad-${Math.abs(hash(yaml))}`, yaml);
    const run = await runCli(["analyze", nic, "--json", "--config", config]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    return run;
  }

  it("an owner rule with an unknown match key: exit 2, one line naming owners[0].match.drivr", async () => {
    const run = await refused('owners:\n  - match: { drivr: "mlx5_*" }\n    owner: "@acme/rdma"\n');
    expect(run.stderr).toContain("owners[0].match.drivr");
    expect(run.stderr).toContain("driver");
  });

  it("an owner rule without an owner: exit 2, one line naming owners[1].owner", async () => {
    const run = await refused('owners:\n  - match: { driver: "ice" }\n    owner: "@acme/netdev"\n  - match: { verdict: stale-dma }\n');
    expect(run.stderr).toContain("owners[1].owner");
  });

  it("an owner rule matching on a verdict that does not exist: exit 2, naming owners[0].match.verdict", async () => {
    const run = await refused('owners:\n  - match: { verdict: stale-cache }\n    owner: "@acme/platform"\n');
    expect(run.stderr).toContain("owners[0].match.verdict");
  });

  it("a config that is not YAML: exit 2, one line saying so", async () => {
    const run = await refused("owners:\n  - match: { driver: [unclosed\n    owner: @acme\n\t: :\n");
    expect(run.stderr).toMatch(/not valid YAML/);
  });
});

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}
