/**
 * Entry of the analysis child process: one analysis per process, so a runaway analysis is
 * killed without touching the worker, and CPU-heavy work never starves BullMQ's lock renewal.
 */
import { analyzeFiles, type AnalysisInput } from "./analyze-files.js";

// The worker died (SIGKILL, crash): stop too, the job will be taken up again elsewhere.
process.once("disconnect", () => process.exit(1));

process.once("message", (input: AnalysisInput) => {
  analyzeFiles(input).then(
    (verdict) => process.send?.({ ok: true, verdict }, () => process.exit(0)),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.send?.({ ok: false, error: message }, () => process.exit(0));
    },
  );
});
