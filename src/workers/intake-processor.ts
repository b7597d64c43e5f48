import type { Job, Queue } from "bullmq";
import { ConfigError, validateConfig, type CasefileConfig } from "../analysis/config/casefile-config.js";
import { isVerdictKind } from "../analysis/model/verdict-kind.js";
import { artifactSetKey, extractArtifactRefs, type ArtifactRef } from "../bot/artifact-links.js";
import { looksLikeKernelCrash } from "../bot/crash-report-detect.js";
import { analyzeJobId, stableJsonKey } from "../bot/job-keys.js";
import type { CrashStore } from "../store/crash-store.js";
import type { GitHubAccess, InstallationOctokit } from "./github-access.js";
import { CONFIG_ERROR_MARKER, isOwnComment, listComments, REPORT_MARKER, upsertMarkedComment, type IssueRef } from "./issue-comments.js";
import { removeIssueLabel } from "./issue-labels.js";
import { intakeJobSchema, type AnalyzeJob, type IntakeJob } from "./job-data.js";

export const CONFIG_PATH = ".github/casefile.yml";

export type IntakeOutcome =
  | { outcome: "queued"; analyzeJobId: string }
  | { outcome: "already-analysed"; analyzeJobId: string }
  | { outcome: "not-a-crash-issue" }
  | { outcome: "config-error"; problems: string[] }
  | { outcome: "commands-only" };

/**
 * Second half of the webhook, off the request path: loads and validates the repository's
 * config, runs commands, decides whether the issue is a crash issue, and collects its whole
 * artifact set (body and every human comment) into one analysis job whose id makes a repeat a no-op.
 */
export class IntakeProcessor {
  constructor(
    private readonly github: GitHubAccess,
    private readonly analyzeQueue: Queue<AnalyzeJob>,
    private readonly store: CrashStore,
  ) {}

  async process(job: Job<IntakeJob>): Promise<IntakeOutcome> {
    const data = intakeJobSchema.parse(job.data);
    const ref: IssueRef = { owner: data.owner, repo: data.repo, issue: data.issue };
    const octokit = await this.github.octokit(data.installationId);

    const config = await this.loadConfig(octokit, ref);
    if (config instanceof ConfigError) {
      await upsertMarkedComment(octokit, ref, CONFIG_ERROR_MARKER, configErrorComment(config));
      return { outcome: "config-error", problems: config.problems };
    }

    const { data: issue } = await octokit.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue });
    const comments = await listComments(octokit, ref);
    const hasReport = comments.some((c) => isOwnComment(c, REPORT_MARKER));

    let variant = "";
    let explain = false;
    for (const command of data.commands) {
      switch (command.kind) {
        case "rerun":
          variant = `rerun ${data.commentId}`;
          break;
        case "explain":
          variant ||= `explain ${data.commentId}`;
          explain = true;
          break;
        case "owner":
        case "wrong":
          await this.correct(octokit, ref, data, command, config);
          break;
        case "invalid":
          await octokit.rest.issues.createComment({
            owner: ref.owner,
            repo: ref.repo,
            issue_number: ref.issue,
            body: `@${data.sender} casefile did not understand \`${command.text.slice(0, 200).replace(/`/g, "'")}\`: ${command.problem}.`,
          });
          break;
      }
    }
    if (data.commands.length > 0 && !variant && data.event === "comment" && !hasNewArtifacts(data, comments)) return { outcome: "commands-only" };

    const labels = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    const humanComments = comments.filter((c) => !c.user || (c.user.type !== "Bot" && !c.user.login?.endsWith("[bot]")));
    const texts = [issue.body ?? "", ...humanComments.map((c) => c.body ?? "")];
    const triggered =
      variant !== "" ||
      hasReport ||
      labels.some((l) => config.trigger.labels.includes(l)) ||
      (config.trigger.detect_in_body && texts.some((t) => looksLikeKernelCrash(t)));
    if (!triggered) return { outcome: "not-a-crash-issue" };

    const allowedHosts = config.artifacts.allowed_hosts;
    const refs: ArtifactRef[] = [
      ...extractArtifactRefs(issue.body ?? "", "issue body", { allowedHosts }),
      ...humanComments.flatMap((c) => extractArtifactRefs(c.body ?? "", `comment ${c.id}`, { allowedHosts })),
    ];
    const id = analyzeJobId(ref, artifactSetKey(refs), stableJsonKey(config), variant);
    if (await this.analyzeQueue.getJob(id)) return { outcome: "already-analysed", analyzeJobId: id };
    const analyze: AnalyzeJob = {
      installationId: data.installationId,
      owner: ref.owner,
      repo: ref.repo,
      issue: ref.issue,
      issueUrl: issue.html_url,
      title: issue.title,
      explain,
      links: refs.flatMap((r) => (r.kind === "link" ? [{ url: r.url, origin: r.origin }] : [])),
      codeBlocks: refs.flatMap((r) => (r.kind === "code-block" ? [{ source: r.source, index: r.index, text: r.text }] : [])),
      config,
      receivedAt: data.receivedAt,
      requestedAt: Date.now(),
    };
    await this.analyzeQueue.add("analyze", analyze, { jobId: id });
    return { outcome: "queued", analyzeJobId: id };
  }

  /** `.github/casefile.yml` through Probot's config plugin (org `.github` repository and `_extends` work). */
  private async loadConfig(octokit: InstallationOctokit, ref: IssueRef): Promise<CasefileConfig | ConfigError> {
    let raw: unknown;
    try {
      raw = (await octokit.config.get({ owner: ref.owner, repo: ref.repo, path: CONFIG_PATH })).config;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== undefined && status !== 404) throw err;
      const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
      return new ConfigError(`${CONFIG_PATH} cannot be read: ${msg}`, [msg]);
    }
    try {
      return validateConfig(raw, CONFIG_PATH);
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
  }

  /** `/casefile owner` and `/casefile wrong`: only people with write access; recorded for the accuracy figures. */
  private async correct(
    octokit: InstallationOctokit,
    ref: IssueRef,
    data: IntakeJob,
    command: { kind: "owner"; label: string } | { kind: "wrong"; verdict: string },
    config: CasefileConfig,
  ): Promise<void> {
    const { data: perm } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: ref.owner, repo: ref.repo, username: data.sender });
    if (!["admin", "maintain", "write"].includes(perm.permission) && !["admin", "maintain", "write"].includes(perm.role_name ?? "")) {
      await octokit.rest.issues.createComment({
        owner: ref.owner,
        repo: ref.repo,
        issue_number: ref.issue,
        body: `@${data.sender} only people with write access to ${ref.owner}/${ref.repo} can correct casefile's verdict or owner.`,
      });
      return;
    }
    const repository = `${ref.owner}/${ref.repo}`;
    const previous = await this.store.get(repository, ref.issue);
    const prefix = config.labels.verdict_prefix;
    if (command.kind === "wrong" && isVerdictKind(command.verdict)) {
      const from = previous?.verdict ?? "unknown";
      await this.store.recordCorrection({ repository, issue: ref.issue, kind: "verdict", from, to: command.verdict, by: data.sender, at: new Date().toISOString() });
      if (config.labels.apply) {
        if (previous && previous.verdict !== command.verdict) await removeIssueLabel(octokit, ref, `${prefix}${previous.verdict}`);
        await octokit.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, labels: [`${prefix}${command.verdict}`] });
      }
    } else if (command.kind === "owner") {
      const from = previous?.owners.map((o) => o.label ?? o.owner).join(", ") || "none";
      await this.store.recordCorrection({ repository, issue: ref.issue, kind: "owner", from, to: command.label, by: data.sender, at: new Date().toISOString() });
      if (config.labels.apply) {
        for (const o of previous?.owners ?? []) if (o.label && o.label !== command.label) await removeIssueLabel(octokit, ref, o.label);
        await octokit.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, labels: [command.label] });
      }
    }
    if (data.commentId) {
      await octokit.rest.reactions.createForIssueComment({ owner: ref.owner, repo: ref.repo, comment_id: data.commentId, content: "+1" });
    }
  }
}

/** A comment that carries only commands adds nothing to analyse. */
function hasNewArtifacts(data: IntakeJob, comments: { id: number; body?: string | null }[]): boolean {
  const c = comments.find((x) => x.id === data.commentId);
  return !!c && extractArtifactRefs(c.body ?? "", `comment ${c.id}`).length > 0;
}

export function configErrorComment(err: ConfigError): string {
  return [
    `**casefile cannot use \`${CONFIG_PATH}\`**: it is not valid, so this issue was not triaged.`,
    "",
    ...err.problems.map((p) => `- ${p}`),
    "",
    "Fix the file (see the configuration reference in casefile's documentation) and edit this issue or comment `/casefile rerun`.",
  ].join("\n");
}
