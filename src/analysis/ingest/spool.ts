import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The bundle's private temp folder (mkdtemp, mode 0700). Files in it are named by a counter,
 * never by an archive entry's name, so no entry can choose where its bytes land.
 */
export class Spool {
  private dir: Promise<string> | null = null;
  private counter = 0;
  private disposed = false;

  /** A fresh path inside the private folder, created on first use. */
  async nextPath(): Promise<string> {
    if (this.disposed) throw new Error("the bundle was already disposed");
    this.dir ??= mkdtemp(join(tmpdir(), "casefile-ingest-"));
    const dir = await this.dir;
    this.counter++;
    return join(dir, `spool-${String(this.counter).padStart(6, "0")}.bin`);
  }

  /** Removes the folder and everything in it. Safe to call twice. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const dir = this.dir;
    this.dir = null;
    if (!dir) return;
    try {
      await rm(await dir, { recursive: true, force: true });
    } catch {
      // mkdtemp failed or the folder is gone already: nothing of ours is left to remove.
    }
  }
}
