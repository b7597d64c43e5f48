import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job, Queue } from "bullmq";
import { validateConfig, type CasefileConfig } from "../analysis/config/casefile-config.js";
import { SCHEMA, type CasefileVerdict } from "../analysis/model/casefile-verdict.js";
import { publishJobId } from "../bot/job-keys.js";
import { AnalysisFailed, type AnalysisRunner } from "./analysis-runner.js";
import { AttachmentDownloader, DEFAULT_DOWNLOAD_OPTIONS, DownloadFailed, DownloadRejected } from "./attachment-downloader.js";
import type { GitHubAccess, InstallationOctokit } from "./github-access.js";
import { analyzeJobSchema, type AnalyzeJob, type PublishJob, type Unreadable } from "./job-data.js";

/** Links downloaded per issue at most; the rest are listed in the report as not read. */
export const MAX_LINKS = 20;

export interface AnalyzeSettings {
  downloadTimeoutMs: number;
  downloadIdleTimeoutMs: number;
  /** Where temporary bundles live (default: the OS temp dir). */
  tmpDir?: string;
  /** One call per link: bytes received and how it ended (metrics). */
  onDownload?: (bytes: number, outcome: "ok" | "refused" | "too-large" | "timeout" | "error") => void;
  onAnalysis?: (seconds: number, verdict: string) => void;
}

export const DEFAULT_ANALYZE_SETTINGS: AnalyzeSettings = {
  downloadTimeoutMs: DEFAULT_DOWNLOAD_OPTIONS.timeoutMs,
  downloadIdleTimeoutMs: DEFAULT_DOWNLOAD_OPTIONS.idleTimeoutMs,
};

/**
 * Downloads the issue's artifacts into a private temp directory, runs the analysis through
 * the injected runner (a child process in production), and queues the publishing step.
 * Unreadable links are not retried: they are listed in the report. Transient download
 * failures throw, so BullMQ retries with backoff; on the last attempt they are reported too.
 */
export class AnalyzeProcessor {
  constructor(
    private readonly github: GitHubAccess,
    private readonly runner: AnalysisRunner,
    private readonly publishQueue: Queue<PublishJob>,
    private readonly settings: AnalyzeSettings = DEFAULT_ANALYZE_SETTINGS,
  ) {}

  async process(job: Job<AnalyzeJob>): Promise<{ verdict: string; publishJobId: string }> {
    const data = analyzeJobSchema.parse(job.data);
    const config = validateConfig(data.config);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const dir = await mkdtemp(join(this.settings.tmpDir ?? tmpdir(), "casefile-job-"));
    const started = Date.now();
    try {
      const unreadable: Unreadable[] = [];
      const files: { path: string; display: string }[] = [];
      const downloader = new AttachmentDownloader(dir, {
        allowedHosts: config.artifacts.allowed_hosts,
        maxFileBytes: config.artifacts.max_file_bytes,
        timeoutMs: this.settings.downloadTimeoutMs,
        idleTimeoutMs: this.settings.downloadIdleTimeoutMs,
        maxRedirects: DEFAULT_DOWNLOAD_OPTIONS.maxRedirects,
        token: () => this.github.token(data.installationId),
      });
      const usedNames = new Set<string>();
      let bundleLeft = config.artifacts.max_bundle_bytes;
      for (const [i, link] of data.links.entries()) {
        if (i >= MAX_LINKS) {
          unreadable.push({ what: link.url, reason: `only the first ${MAX_LINKS} links of an issue are downloaded` });
          continue;
        }
        if (bundleLeft <= 0) {
          unreadable.push({ what: link.url, reason: "not downloaded: the bundle reached its size limit (artifacts.max_bundle_bytes)" });
          continue;
        }
        try {
          const got = await downloader.download(link.url, bundleLeft);
          bundleLeft -= got.bytes;
          this.settings.onDownload?.(got.bytes, "ok");
          files.push({ path: got.path, display: uniqueName(displayName(link.url), usedNames) });
        } catch (err) {
          this.settings.onDownload?.(0, downloadOutcome(err));
          if (err instanceof DownloadRejected || (err instanceof DownloadFailed && lastAttempt)) {
            unreadable.push({ what: link.url, reason: err.reason });
          } else {
            throw err;
          }
        }
      }
      for (const block of data.codeBlocks) {
        const path = join(dir, `block-${files.length + 1}.txt`);
        await writeFile(path, block.text);
        files.push({ path, display: uniqueName(`${block.source}, block ${block.index}`, usedNames) });
      }
      const octokit = await this.github.octokit(data.installationId);
      const maintainers = config.maintainers ? await readRepoFile(octokit, data, config.maintainers, unreadable) : null;
      const codeowners = await readRepoFile(octokit, data, ".github/CODEOWNERS", null);

      let verdict: CasefileVerdict;
      try {
        verdict = await this.runner.run({ name: `${data.owner}/${data.repo}#${data.issue}`, files, config, maintainers, codeowners });
      } catch (err) {
        if (!(err instanceof AnalysisFailed)) throw err;
        // Bad input: answered with a report saying what could not be read, never retried.
        unreadable.push({ what: "the analysis", reason: err.message });
        verdict = failedVerdict(`${data.owner}/${data.repo}#${data.issue}`, err.message, config);
      }
      if (files.length === 0 && unreadable.length > 0) verdict.summary = `${verdict.summary} None of the linked attachments could be read.`.trim();
      const seconds = (Date.now() - started) / 1000;
      this.settings.onAnalysis?.(seconds, verdict.verdict);
      const id = publishJobId(job.id ?? "unknown");
      const publish: PublishJob = {
        installationId: data.installationId,
        owner: data.owner,
        repo: data.repo,
        issue: data.issue,
        issueUrl: data.issueUrl,
        explain: data.explain,
        verdict: verdict as unknown as Record<string, unknown>,
        unreadable,
        config: data.config,
        receivedAt: data.receivedAt,
        requestedAt: data.requestedAt,
        analyzedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
        analysisId: job.id ?? "unknown",
      };
      await this.publishQueue.add("publish", publish, { jobId: id });
      return { verdict: verdict.verdict, publishJobId: id };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A file of the repository (MAINTAINERS, CODEOWNERS); missing is fine, reported when asked for by config. */
async function readRepoFile(
  octokit: InstallationOctokit,
  data: AnalyzeJob,
  path: string,
  unreadable: Unreadable[] | null,
): Promise<{ name: string; text: string } | null> {
  try {
    const res = await octokit.rest.repos.getContent({ owner: data.owner, repo: data.repo, path, mediaType: { format: "raw" } });
    const text = typeof res.data === "string" ? res.data : null;
    if (text === null) {
      unreadable?.push({ what: path, reason: "not a file" });
      return null;
    }
    return { name: path, text };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) {
      unreadable?.push({ what: path, reason: "not found in the repository (config `maintainers`)" });
      return null;
    }
    throw err;
  }
}

function downloadOutcome(err: unknown): "refused" | "too-large" | "timeout" | "error" {
  if (!(err instanceof DownloadRejected)) return "error";
  if (/limit of|more than the limit/.test(err.reason)) return "too-large";
  if (/within|no data for/.test(err.reason)) return "timeout";
  return "refused";
}

function displayName(url: string): string {
  try {
    const last = new URL(url).pathname.split("/").filter(Boolean).pop() ?? "download";
    return decodeURIComponent(last).replace(/[\u0000-\u001f]/g, "") || "download";
  } catch {
    return "download";
  }
}

function uniqueName(name: string, used: Set<string>): string {
  let out = name;
  for (let n = 2; used.has(out); n++) out = `${name} (${n})`;
  used.add(out);
  return out;
}

/** The verdict published when the analysis itself could not run on this input. */
export function failedVerdict(bundle: string, reason: string, config: CasefileConfig): CasefileVerdict {
  const prefix = config.labels.verdict_prefix;
  return {
    schema: SCHEMA,
    bundle,
    verdict: "inconclusive",
    confidence: 0,
    summary: `casefile could not analyse this bundle: ${reason}`,
    crash: null,
    region: null,
    frames: [],
    timeline: [],
    suspect: null,
    owners: [],
    labels: [`${prefix}inconclusive`, `${prefix}needs-info`],
    evidence: [],
    counter_evidence: [],
    signature: "inconclusive",
    artifacts: [],
    missing: ["a bundle casefile can read: the console log with the crash report, and the trace or memory dump if there is one"],
    stale_mappings: [],
    excerpt: null,
    scores: [],
    guilty_file: null,
    warnings: [reason],
    machine: { arch: "unknown", page_size: 0, cache_line: 0, endianness: "unknown" },
  };
}
