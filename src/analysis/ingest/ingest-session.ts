import type { Limits } from "../config/casefile-config.js";
import type { Artifact, Bundle } from "../model/artifact.js";
import { itemHead, makeArtifact, unreadableArtifact } from "./artifact-factory.js";
import { describeError } from "./byte-streams.js";
import { sniffContainer } from "./container-kind.js";
import { expandGzip } from "./gzip-archive.js";
import type { IngestContext, IngestItem } from "./ingest-context.js";
import { IngestBudget } from "./limits.js";
import { Spool } from "./spool.js";
import { expandTar } from "./tar-archive.js";
import { expandZip } from "./zip-archive.js";

/**
 * One ingest: a budget, a private spool and the artifacts found so far. `visit` recognises
 * each item by content and either opens it (archives, recursively) or lists it.
 */
export class IngestSession implements IngestContext {
  readonly budget: IngestBudget;
  readonly spool = new Spool();
  readonly artifacts: Artifact[] = [];
  readonly warnings: string[] = [];

  constructor(readonly limits: Limits) {
    this.budget = new IngestBudget(limits, this.warnings);
  }

  async visit(item: IngestItem, layers: number, insideGzip = false): Promise<void> {
    try {
      const head = await itemHead(item);
      const container = sniffContainer(head);
      if (!container) {
        this.artifacts.push(await makeArtifact(item, head, this.spool));
        return;
      }
      // A tar straight inside a gzip is one `.tar.gz`: it does not count as another layer.
      const depth = container === "tar" && insideGzip ? layers : layers + 1;
      if (depth > this.limits.max_nesting_depth + 1) {
        this.artifacts.push(
          unreadableArtifact(item.name, [
            ...item.warnings,
            `A ${container} archive nested more than ${this.limits.max_nesting_depth} levels deep (artifacts.max_nesting_depth); not opened.`,
          ]),
        );
        return;
      }
      if (container === "gzip") await expandGzip(this, item, depth);
      else if (container === "tar") await expandTar(this, item, depth);
      else await expandZip(this, item, depth);
    } catch (e) {
      // Last line of defence: one bad item never stops the others.
      this.artifacts.push(unreadableArtifact(item.name, [...item.warnings, `Could not be read: ${describeError(e)}.`]));
    }
  }

  bundle(name: string): Bundle {
    const spool = this.spool;
    return { name, artifacts: this.artifacts, warnings: this.warnings, dispose: () => spool.dispose() };
  }
}
