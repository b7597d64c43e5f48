import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The end-to-end tests run the built CLI (`node bin/casefile.js`), as a user does. Building takes
 * minutes on the shared machine, so it happens at most once per vitest run: under a lock (test
 * files run in parallel), only when a source file is newer than dist, and never again in the same
 * run once done (a rebuild while another file's CLI runs would pull dist from under it). Usable as
 * a vitest globalSetup too; the worker processes of one run share the parent's pid.
 */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = `${ROOT}bin/casefile.js`;
const LOCK = "/tmp/casefile-build.lock";

export function ensureBuilt(runPid: number = process.ppid): void {
  // For iterating on these tests against a dist you just built yourself.
  if (process.env.CASEFILE_E2E_SKIP_BUILD === "1" && existsSync(`${ROOT}dist/cli/main.js`)) return;
  const marker = `/tmp/casefile-e2e-built.${runPid}-${startTime(runPid)}`;
  const script = [
    `[ -f ${marker} ] && exit 0`,
    `if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -type f -print -quit)" ]; then npm run build >&2; fi`,
    `touch ${marker}`,
  ].join("\n");
  const started = Date.now();
  const result = spawnSync("flock", [LOCK, "sh", "-c", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  // tsc still writes dist when another engineer's file has a type error; only a missing CLI is fatal.
  const main = `${ROOT}dist/cli/main.js`;
  if (!existsSync(main)) throw new Error(`npm run build left no dist/cli/main.js: ${result.stderr.split("\n").slice(-5).join(" ")}`);
  if (result.status !== 0 && statSync(main).mtimeMs < started) throw new Error(`npm run build failed: ${result.stderr.split("\n").slice(-5).join(" ")}`);
}

/** When the process started (clock ticks since boot), so a later run that reuses the pid still builds. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "0";
  } catch {
    return "0";
  }
}

/** vitest globalSetup entry: build once before any test file starts. */
export default function setup(): void {
  ensureBuilt(process.pid);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/casefile.js ARGS` with stdout and stderr as pipes (so Markdown is plain, no progress line). */
export function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** The one-JSON-object-per-line output of `--json`. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

/** A build can take minutes on the loaded 2-core machine. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;
