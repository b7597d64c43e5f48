import type { ApplicationFunction, Context } from "probot";
import type { Queue } from "bullmq";
import type { IntakeJob } from "../workers/job-data.js";
import { routeCommentEvent, routeIssueEvent, type IssueCommentPayload, type IssuesPayload, type Routing } from "./event-routing.js";

export interface BotObserver {
  /** Called once per delivery with what happened to it. */
  delivery(event: string, outcome: "queued" | "duplicate" | "ignored" | "error" | "invalid", seconds: number): void;
}

export interface CasefileAppDeps {
  intake: Queue<IntakeJob>;
  observer?: BotObserver;
}

/**
 * The Probot app: validates and enqueues, nothing more. A delivery that could not be queued
 * throws, so Probot answers 500 and GitHub can redeliver it; a job id BullMQ already holds
 * makes a repeated delivery a no-op.
 */
export function createCasefileApp(deps: CasefileAppDeps): ApplicationFunction {
  return (app) => {
    const handle = async (context: Context, route: (receivedAt: string) => Routing): Promise<void> => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const event = `${context.name}.${(context.payload as { action?: string }).action ?? ""}`;
      const routing = route(new Date().toISOString());
      if ("ignored" in routing) {
        context.log.debug({ event, reason: routing.ignored }, "ignored");
        deps.observer?.delivery(event, "ignored", seconds());
        return;
      }
      const { jobId, job } = routing.route;
      try {
        const existing = await deps.intake.getJob(jobId);
        if (existing) {
          context.log.info({ event, jobId }, "same event already queued; nothing new to do");
          deps.observer?.delivery(event, "duplicate", seconds());
          return;
        }
        await deps.intake.add("intake", job, { jobId });
      } catch (err) {
        deps.observer?.delivery(event, "error", seconds());
        const reason = err instanceof Error ? err.message : String(err);
        // Rethrown: the delivery is answered with an error and stays redeliverable.
        throw new Error(`could not queue ${event} for ${job.owner}/${job.repo}#${job.issue}: ${reason}`);
      }
      context.log.info({ event, jobId, issue: `${job.owner}/${job.repo}#${job.issue}` }, "queued");
      deps.observer?.delivery(event, "queued", seconds());
    };

    app.on(["issues.opened", "issues.edited", "issues.reopened", "issues.labeled"], (context) =>
      handle(context, (at) => routeIssueEvent(context.payload as unknown as IssuesPayload, context.id, at)),
    );
    app.on(["issue_comment.created", "issue_comment.edited"], (context) =>
      handle(context, (at) => routeCommentEvent(context.payload as unknown as IssueCommentPayload, context.id, at)),
    );
  };
}
