import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** The benches' server and worker processes: a free loopback port for each, and a clean stop. */

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const stopping = new Set<ChildProcess>();

/** Whether `stopChild` ended the process (its exit is then expected, not a failure). */
export function isStopping(child: ChildProcess): boolean {
  return stopping.has(child);
}

/** SIGTERM, then SIGKILL if it has not exited after `killAfterMs`; resolves once it exited. */
export async function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
