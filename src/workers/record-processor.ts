import type { Job } from "bullmq";
import type { CrashRecord } from "../store/crash-record.js";
import type { CrashStore } from "../store/crash-store.js";
import { recordJobSchema, type RecordJob } from "./job-data.js";

/** Records the published verdict in the crash store (one record per issue; a rerun replaces it). */
export class RecordProcessor {
  constructor(private readonly store: CrashStore) {}

  async process(job: Job<RecordJob>): Promise<void> {
    const { record } = recordJobSchema.parse(job.data);
    await this.store.record(record as unknown as CrashRecord);
  }
}
