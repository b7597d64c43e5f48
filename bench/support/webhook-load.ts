import { createHmac, randomUUID } from "node:crypto";
import autocannon from "autocannon";

/** What one load run measured: acknowledgement latency in ms, errors of any kind. */
export interface LoadResult {
  sent: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  rps: number;
}

/** An `issues.labeled` delivery for a new issue number each time, as GitHub sends it. */
export function labeledPayload(issue: number, installation = 4242): string {
  return JSON.stringify({
    action: "labeled",
    issue: { number: issue, title: `kernel crash ${issue}`, body: "Bad page map on ppc64le, console log attached.", labels: [{ name: "crash" }], user: { login: "oncall", type: "User" } },
    label: { name: "crash" },
    repository: { name: "kernel", full_name: "acme/kernel", owner: { login: "acme", type: "Organization" } },
    installation: { id: installation },
    sender: { login: "oncall", type: "User" },
  });
}

export function sign(secret: string, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * Signed deliveries at a fixed overall rate (autocannon's overallRate), each with its own
 * delivery id and issue number, so every one is new work for the receiver.
 */
export async function deliverAtRate(url: string, secret: string, o: { rate: number; seconds: number; connections: number; firstIssue: number }): Promise<LoadResult> {
  let issue = o.firstIssue;
  const result = await autocannon({
    url,
    connections: o.connections,
    overallRate: o.rate,
    duration: o.seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const body = labeledPayload(issue++);
          return {
            ...req,
            body,
            headers: {
              "content-type": "application/json",
              "user-agent": "GitHub-Hookshot/bench",
              "x-github-event": "issues",
              "x-github-delivery": randomUUID(),
              "x-hub-signature-256": sign(secret, body),
            },
          };
        },
      },
    ],
  });
  return {
    sent: result.requests.sent,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    rps: result.requests.average,
  };
}
