import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { validateConfig, type CasefileConfig } from "../analysis/config/casefile-config.js";
import type { CasefileVerdict } from "../analysis/model/casefile-verdict.js";
import { renderMarkdownReport } from "../analysis/report/markdown-report.js";
import { verdictLabels } from "../analysis/verdict/labels.js";
import { recordJobId } from "../bot/job-keys.js";
import type { CrashStore } from "../store/crash-store.js";
import type { CrashRecord, IssueCorrections } from "../store/crash-record.js";
import type { GitHubAccess, InstallationOctokit } from "./github-access.js";
import { REPORT_MARKER, upsertMarkedComment, type IssueRef } from "./issue-comments.js";
import { removeIssueLabel } from "./issue-labels.js";
import { publishJobSchema, type PublishJob, type RecordJob, type Unreadable } from "./job-data.js";
import { planLabels } from "./label-plan.js";

/** Another publish of the same issue holds the lock: try again shortly (not a failure). */
export class IssueBusy extends Error {
  constructor(issue: string) {
    super(`another publish of ${issue} is running`);
    this.name = "IssueBusy";
  }
}

/**
 * Posts the case report as the issue's one report comment (edited in place on reruns), sets
 * labels without re-adding what a person removed, assigns when the config says so, links
 * duplicates by signature, then queues the record step. Every step is idempotent, so a retry
 * after a GitHub error never posts twice.
 */
export class PublishProcessor {
  constructor(
    private readonly github: GitHubAccess,
    private readonly store: CrashStore,
    private readonly recordQueue: Queue<RecordJob>,
    private readonly redis: Redis,
    private readonly lockPrefix: string,
  ) {}

  async process(job: Job<PublishJob>): Promise<{ comment: "created" | "updated" | "unchanged" | "superseded"; labelsAdded: string[] }> {
    const data = publishJobSchema.parse(job.data);
    const verdict = data.verdict as unknown as CasefileVerdict;
    const config = validateConfig(data.config);
    const ref: IssueRef = { owner: data.owner, repo: data.repo, issue: data.issue };
    const repository = `${data.owner}/${data.repo}`;

    // One publisher per issue at a time: two reruns racing must not both create the comment.
    const lockKey = `${this.lockPrefix}:publish-lock:${repository}#${data.issue}`;
    const token = `${job.id}`;
    if ((await this.redis.set(lockKey, token, "PX", 60_000, "NX")) !== "OK") throw new IssueBusy(`${repository}#${data.issue}`);
    try {
      // Analyses may finish out of order (a rerun on a fast worker, an old job retried late):
      // only the most recently requested one may write the report.
      const seqKey = `${this.lockPrefix}:published-seq:${repository}#${data.issue}`;
      if ((await this.redis.eval(NEWEST_ONLY, 1, seqKey, String(data.requestedAt))) === 0) return { comment: "superseded", labelsAdded: [] };
      const octokit = await this.github.octokit(data.installationId);
      const duplicate = await this.duplicateLine(verdict, repository, data.issue);
      const corrections = await this.store.correctionsOf(repository, data.issue);
      const corrected = correctionNote(corrections);
      const body = composeReport(verdict, { explain: data.explain, unreadable: data.unreadable, duplicate, corrected });
      const comment = await upsertMarkedComment(octokit, ref, REPORT_MARKER, body);
      const labelsAdded = config.labels.apply ? await this.applyLabels(octokit, ref, verdict, config, corrections) : [];
      await this.assign(octokit, ref, verdict, config);

      const record: CrashRecord = {
        ...verdict,
        repository,
        issue: data.issue,
        issue_url: data.issueUrl,
        received_at: data.receivedAt,
        analyzed_at: data.analyzedAt,
        duration_ms: data.durationMs,
      };
      await this.recordQueue.add("record", { record: record as unknown as Record<string, unknown> }, { jobId: recordJobId(data.analysisId) });
      return { comment, labelsAdded };
    } finally {
      // Released only if still ours (a lock that expired may belong to someone else now).
      await this.redis.eval(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`, 1, lockKey, token);
    }
  }

  /** "Same signature as #123, 4 occurrences since 2026-11-02", counting this issue. */
  private async duplicateLine(v: CasefileVerdict, repository: string, issue: number): Promise<string | null> {
    if (v.verdict === "inconclusive" || !v.crash || !v.signature) return null;
    const occ = await this.store.occurrences(v.signature);
    if (!occ.first || (occ.first.repository === repository && occ.first.issue === issue)) return null;
    const existing = await this.store.get(repository, issue);
    const count = occ.count + (existing?.signature === v.signature ? 0 : 1);
    const where = occ.first.repository === repository ? `#${occ.first.issue}` : `${occ.first.repository}#${occ.first.issue}`;
    return `Same signature as ${where}, ${count} occurrences since ${occ.first.at.slice(0, 10)}.`;
  }

  private async applyLabels(
    octokit: InstallationOctokit,
    ref: IssueRef,
    v: CasefileVerdict,
    config: CasefileConfig,
    corrections: IssueCorrections,
  ): Promise<string[]> {
    const prefix = config.labels.verdict_prefix;
    const desired = v.labels.length > 0 ? v.labels : verdictLabels(v.verdict, prefix, v.owners.flatMap((o) => (o.label ? [o.label] : [])));
    const { data: issue } = await octokit.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue });
    const current = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    const removedByPeople = await labelsRemovedByPeople(octokit, ref);
    const plan = planLabels({
      desired,
      current,
      removedByPeople,
      prefix,
      corrections: {
        verdict: corrections.verdict?.to,
        owner: corrections.owner?.to,
        analysisOwnerLabels: v.owners.flatMap((o) => (o.label ? [o.label] : [])),
      },
    });
    for (const name of plan.remove) await removeIssueLabel(octokit, ref, name);
    if (plan.add.length > 0) await octokit.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, labels: plan.add });
    return plan.add;
  }

  /** Assigns the primary owner when its rule says `assign: true` and it is a user (teams cannot be assigned). */
  private async assign(octokit: InstallationOctokit, ref: IssueRef, v: CasefileVerdict, config: CasefileConfig): Promise<void> {
    const primary = v.owners[0];
    if (!primary) return;
    const rule = config.owners.find((r) => r.assign && r.owner === primary.owner);
    const user = /^@([A-Za-z0-9-]+)$/.exec(primary.owner)?.[1];
    if (!rule || !user) return;
    await octokit.rest.issues.addAssignees({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, assignees: [user] });
  }
}

/** Sets the issue's published sequence unless a newer analysis already published; 0 = superseded. */
const NEWEST_ONLY = `local cur = redis.call("get", KEYS[1])
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call("set", KEYS[1], ARGV[1], "EX", 31536000)
return 1`;

/** Labels people removed, from the issue's event history (stateless: survives restarts, sees removals made while we were down). */
export async function labelsRemovedByPeople(octokit: InstallationOctokit, ref: IssueRef): Promise<Set<string>> {
  const events = (await octokit.paginate(octokit.rest.issues.listEvents, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issue,
    per_page: 100,
  })) as { event: string; label?: { name: string }; actor?: { type?: string; login?: string } | null }[];
  const removed = new Set<string>();
  for (const e of events) {
    if (e.event !== "unlabeled" || !e.label) continue;
    const bot = e.actor?.type === "Bot" || !!e.actor?.login?.endsWith("[bot]");
    if (!bot) removed.add(e.label.name);
  }
  return removed;
}

/** "Corrected by @bob: verdict `stale-dma`; owner label `owner:rdma`." or null. */
function correctionNote(c: IssueCorrections): string | null {
  // People's text goes into code spans: no backticks may close them early.
  const tick = (s: string) => s.replace(/`/g, "'");
  const parts: string[] = [];
  if (c.verdict) parts.push(`verdict \`${tick(c.verdict.to)}\` (by ${tick(c.verdict.by)})`);
  if (c.owner) parts.push(`owner \`${tick(c.owner.to)}\` (by ${tick(c.owner.by)})`);
  return parts.length ? `**Corrected by people:** ${parts.join("; ")}. casefile keeps these labels on reruns.` : null;
}

export function composeReport(
  v: CasefileVerdict,
  opts: { explain: boolean; unreadable: Unreadable[]; duplicate: string | null; corrected?: string | null },
): string {
  let report = renderMarkdownReport(v, { explain: opts.explain });
  const notes = [opts.corrected, opts.duplicate].filter((n): n is string => !!n).join("\n\n");
  if (notes) {
    const cut = report.indexOf("\n\n");
    report = cut < 0 ? `${report}\n\n${notes}` : `${report.slice(0, cut)}\n\n${notes}${report.slice(cut)}`;
  }
  if (opts.unreadable.length > 0) {
    const rows = opts.unreadable.map((u) => `- \`${u.what.replace(/`/g, "'")}\`: ${u.reason.replace(/[<>]/g, "")}`);
    report = `${report.trimEnd()}\n\n**Not read**\n\n${rows.join("\n")}\n`;
  }
  return report;
}
