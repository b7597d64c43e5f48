import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/path-ingest.js";
import { elfCore, type FakeMachine, makeFakeMachine, PAGE_PATTERN } from "./fake-machine.js";

const SCRIPT = join(import.meta.dirname, "../../scripts/casefile-collect");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(machine: FakeMachine, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile("sh", [SCRIPT, ...args], { env: machine.env, cwd: machine.tmp, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const read = (machine: FakeMachine, rel: string) => readFile(join(machine.root, rel), "utf8");
const tracing = (rel: string) => join("sys/kernel/tracing", rel);

let dir: string;
let machine: FakeMachine;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "casefile-collect-test-"));
  machine = await makeFakeMachine(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("scripts/casefile-collect", () => {
  it("is shellcheck clean as POSIX sh", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", SCRIPT], { encoding: "utf8" });
    expect(r.error, "shellcheck must be installed (apt-get install -y shellcheck)").toBeUndefined();
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("arm enables the tracepoints, sizes the buffer, persists with a systemd unit and reports overhead", async () => {
    const r = await run(machine, ["arm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect((await read(machine, tracing("tracing_on"))).trim()).toBe("1");
    expect((await read(machine, tracing("buffer_size_kb"))).trim()).toBe("16384");
    for (const ev of ["dma/dma_map_page", "dma/dma_unmap_page", "kmem/mm_page_alloc", "exceptions/page_fault_kernel", "exceptions/page_fault_user"]) {
      expect((await read(machine, tracing(`events/${ev}/enable`))).trim()).toBe("1");
    }
    expect(r.stdout).toContain("dma:dma_map_page");
    expect(r.stdout).toMatch(/not available on this kernel: .*iommu\/\*.*page_isolation\/\*/);
    expect(r.stdout).toContain("16384 KiB per CPU x 2 CPUs (32 MiB of RAM)");
    expect(r.stdout).toContain("trace_clock: global -> local");
    expect((await read(machine, tracing("trace_clock"))).trim()).toBe("local");
    expect(r.stdout).toContain("sudo casefile-collect disarm");
    expect(r.stdout).toMatch(/Overhead measured here: .* ms untraced, .* ms traced \(-?\d+\.\d%; \d+ events recorded\)/);
    expect(r.stdout).toContain("trace_event=dma:dma_map_page,dma:dma_unmap_page,");
    const unit = await read(machine, "etc/systemd/system/casefile-trace.service");
    expect(unit).toContain("ExecStart=/bin/sh /etc/casefile/arm-at-boot.sh");
    const boot = await read(machine, "etc/casefile/arm-at-boot.sh");
    expect(boot).toContain("echo 1 > $T/events/kmem/mm_page_alloc/enable");
    expect(boot).toContain("echo 16384 > $T/buffer_size_kb");
    expect(await read(machine, "systemctl.log")).toContain("enable casefile-trace.service");
    // The tracepoint that was already on is not recorded as ours.
    const state = await read(machine, "var/lib/casefile-collect/state");
    expect(state).toContain("buffer_size_kb=1408");
    expect(state).not.toContain("mm_page_free/enable");

    const again = await run(machine, ["arm"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already armed/);
  });

  it("disarm undoes exactly what arm changed", async () => {
    await run(machine, ["arm", "--no-measure"]);
    const r = await run(machine, ["disarm"]);
    expect(r.code).toBe(0);
    expect((await read(machine, tracing("tracing_on"))).trim()).toBe("0");
    expect((await read(machine, tracing("buffer_size_kb"))).trim()).toBe("1408");
    expect((await read(machine, tracing("trace_clock"))).trim()).toBe("global");
    expect((await read(machine, tracing("events/kmem/mm_page_alloc/enable"))).trim()).toBe("0");
    expect((await read(machine, tracing("events/kmem/mm_page_free/enable"))).trim()).toBe("1");
    expect(existsSync(join(machine.root, "etc/systemd/system/casefile-trace.service"))).toBe(false);
    expect(existsSync(join(machine.root, "etc/casefile/arm-at-boot.sh"))).toBe(false);
    expect(existsSync(join(machine.root, "var/lib/casefile-collect/state"))).toBe(false);
    expect(await read(machine, "systemctl.log")).toContain("disable casefile-trace.service");
    expect((await run(machine, ["disarm"])).stdout).toMatch(/nothing to undo/);
  });

  it("arm --no-persist --buffer-kb leaves boot alone, survives a refused write; arm fails plainly without tracefs", async () => {
    // A tracepoint the kernel refuses to enable (a read-only file even for root).
    const refused = join(machine.root, tracing("events/exceptions/page_fault_user/enable"));
    await rm(refused);
    await symlink("/proc/version", refused);
    const r = await run(machine, ["arm", "--no-persist", "--no-measure", "--buffer-kb", "4096"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not write '1' to .*page_fault_user\/enable/);
    expect((await read(machine, tracing("tracing_on"))).trim()).toBe("1");
    expect(await read(machine, "var/lib/casefile-collect/state")).not.toContain("page_fault_user");
    expect((await read(machine, tracing("buffer_size_kb"))).trim()).toBe("4096");
    expect(existsSync(join(machine.root, "etc/systemd/system/casefile-trace.service"))).toBe(false);
    await rm(join(machine.root, "sys/kernel/tracing"), { recursive: true });
    await run(machine, ["disarm"]);
    const none = await run(machine, ["arm"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no tracefs/);
  });

  it("bundle --pfn packs dmesg, trace, lspci -k, System.map, machine facts and the frame's hexdump, which ingest recognises", async () => {
    const out = join(machine.tmp, "b.tar.gz");
    const r = await run(machine, ["bundle", "--pfn", "0x2b3c4", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const listed of ["console.log", "trace.txt", "lspci.txt", "System.map", "machine.txt", "frame-2b3c4.txt", "may contain user data"]) {
      expect(r.stdout).toContain(listed);
    }
    expect(r.stdout).toMatch(/Nothing else is included/);

    const bundle = await ingestPaths([out], DEFAULT_CONFIG.artifacts);
    const kinds = Object.fromEntries(bundle.artifacts.map((a) => [a.name.slice(a.name.lastIndexOf("/") + 1), a.kind]));
    expect(kinds).toEqual({
      "console.log": "console-log",
      "trace.txt": "ftrace",
      "lspci.txt": "lspci",
      "System.map": "symbol-map",
      "machine.txt": "console-log",
      "frame-2b3c4.txt": "xxd",
    });
    const frame = bundle.artifacts.find((a) => a.name.endsWith("frame-2b3c4.txt"))!;
    const first = frame.head.toString("utf8").split("\n")[0];
    expect(first.startsWith("2b3c4000: ")).toBe(true);
    expect(first).toContain(PAGE_PATTERN.subarray(0, 16).toString("latin1"));
    expect(frame.head.toString("utf8").trim().split("\n")).toHaveLength(256);
    const machineTxt = bundle.artifacts.find((a) => a.name.endsWith("machine.txt"))!.head.toString();
    expect(machineTxt).toMatch(/x86_64, page size 4096/);
    expect(bundle.artifacts.every((a) => a.warnings.length === 0)).toBe(true);
    await bundle.dispose();
  });

  it("bundle reads a big-endian vmcore, falls back to sysfs without lspci, and refuses a bad --pfn", async () => {
    machine = await makeFakeMachine(join(dir, "m2"), { lspci: false });
    const page = Buffer.alloc(0x2000, 0x11);
    PAGE_PATTERN.copy(page, 0x1000);
    const core = join(machine.tmp, "vmcore");
    await writeFile(core, elfCore([{ paddr: 0x100000n, data: page }], "be"));
    await mkdir(join(machine.root, "sys/bus/pci/drivers/mlx5_core"), { recursive: true });
    await symlink("../../../bus/pci/drivers/mlx5_core", join(machine.root, "sys/bus/pci/devices/0000:01:00.0/driver"));
    // The crashed kernel's log and trace come out of the vmcore (makedumpfile, crash + trace-cmd).
    const fake = async (name: string, body: string) => {
      await writeFile(join(machine.bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    };
    await fake("makedumpfile", '[ "$1" = --dump-dmesg ] && printf "[  99.000001] BUG: KASAN: use-after-free in crashed_kernel+0x1/0x2\\n" > "$3"');
    await fake("crash", 'while read -r a b c d; do [ "$a $b $c" = "trace dump -t" ] && echo dat > "$d"; done; exit 0');
    await fake("trace-cmd", '[ "$1" = report ] && printf "cpus=2\\n  java-1 [000] 99.000000: mm_page_alloc: pfn=0x101 order=0\\n"');
    const out = join(machine.tmp, "v.tar.gz");
    const r = await run(machine, ["bundle", "--addr", "0x101010", "--vmcore", core, "--vmlinux", join(machine.tmp, "vmlinux"), "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("makedumpfile --dump-dmesg");
    expect(r.stdout).toContain("crash trace extension");
    expect(r.stdout).toContain(`frame-101.txt`);
    expect(r.stdout).toContain(`from ${core}`);
    const bundle = await ingestPaths([out], DEFAULT_CONFIG.artifacts);
    const frame = bundle.artifacts.find((a) => a.name.endsWith("frame-101.txt"))!;
    expect(frame.head.toString("utf8").split("\n")[0]).toMatch(/^00101000: /);
    expect(frame.head.toString("latin1")).toContain(PAGE_PATTERN.subarray(0, 16).toString("latin1"));
    expect(bundle.artifacts.find((a) => a.name.endsWith("console.log"))!.head.toString()).toContain("crashed_kernel");
    expect(bundle.artifacts.find((a) => a.name.endsWith("trace.txt"))!.kind).toBe("trace-cmd");
    const lspci = bundle.artifacts.find((a) => a.name.endsWith("lspci.txt"))!;
    expect(lspci.kind).toBe("lspci");
    expect(lspci.head.toString()).toContain("Kernel driver in use: mlx5_core");
    await bundle.dispose();

    const bad = await run(machine, ["bundle", "--pfn", "12zz"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a number/);
    const missing = await run(machine, ["bundle", "--pfn", "0x999999", "--out", join(machine.tmp, "m.tar.gz")]);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/could not read physical 0x999999000/);
  });

  it("without xxd the frame dump falls back to od + awk in hexdump -C form", async () => {
    // A PATH with only the basic tools a minimal system has: no xxd, no hexdump.
    const tools = join(dir, "tools");
    await mkdir(tools);
    for (const tool of ["cat", "dd", "od", "awk", "tar", "gzip", "mktemp", "rm", "mkdir", "date", "grep", "sed", "paste", "tr", "head", "readlink", "cp", "sh"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (found) await symlink(found, join(tools, tool));
    }
    const env = { ...machine.env, PATH: `${machine.bin}:${tools}` };
    const out = join(machine.tmp, "n.tar.gz");
    const r = spawnSync(join(tools, "sh"), [SCRIPT, "bundle", "--pfn", "0x2b3c4", "--out", out], { env, cwd: machine.tmp, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const bundle = await ingestPaths([out], DEFAULT_CONFIG.artifacts);
    const frame = bundle.artifacts.find((a) => a.name.endsWith("frame-2b3c4.txt"))!;
    expect(frame.kind).toBe("hexdump");
    expect(frame.head.toString().split("\n")[0]).toBe("2b3c4000  63 61 73 65 66 69 6c 65  2d 70 61 67 65 2d 30 78  |casefile-page-0x|");
    await bundle.dispose();
  });

  it("ppc64le with 64K pages: converts a linear-map --addr, dumps the whole 64K page, states LE PAGE_SIZE=64K", async () => {
    machine.env = { ...machine.env, FAKE_ARCH: "ppc64le", FAKE_PAGESIZE: "65536" };
    const out = join(machine.tmp, "p.tar.gz");
    const r = await run(machine, ["bundle", "--addr", "0xc00000002b3c4010", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const bundle = await ingestPaths([out], DEFAULT_CONFIG.artifacts);
    const frame = bundle.artifacts.find((a) => a.name.endsWith("frame-2b3c.txt"))!;
    const chunks: Buffer[] = [];
    for await (const c of frame.open()) chunks.push(c as Buffer);
    const lines = Buffer.concat(chunks).toString().trim().split("\n");
    expect(lines).toHaveLength(4096);
    expect(lines[0].startsWith("2b3c0000: ")).toBe(true);
    expect(lines.find((l) => l.startsWith("2b3c4000: "))).toContain("casefile-page-0x");
    const machineTxt = bundle.artifacts.find((a) => a.name.endsWith("machine.txt"))!.head.toString();
    expect(machineTxt).toContain("LE PAGE_SIZE=64K");
    await bundle.dispose();

    const arm = await run(machine, ["arm", "--no-persist", "--no-measure"]);
    expect(arm.stdout).toMatch(/not available on this kernel: .*powerpc\/hash_fault/);
    expect(arm.stdout).not.toContain("exceptions:");
  });

  it("refuses an x86_64 virtual --addr with advice instead of dumping the wrong page", async () => {
    const r = await run(machine, ["bundle", "--addr", "0xffff88802b3c4010"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kernel virtual address; give the physical one \(crash> vtop/);
  });
});
