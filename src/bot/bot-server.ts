import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type Probot } from "probot";
import type { Queue } from "bullmq";
import type { IntakeJob } from "../workers/job-data.js";
import { createCasefileApp, type BotObserver } from "./casefile-app.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub caps webhook payloads at 25 MB; anything larger is not GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface BotServerOptions {
  probot: Probot;
  intake: Queue<IntakeJob>;
  port: number;
  host?: string;
  /** Mounted before the webhook middleware (dashboard, API, metrics); returns true when it answered. */
  httpHandler?: HttpHandler;
  observer?: BotObserver;
}

export interface RunningBotServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The bot's HTTP server: `/ping`, the optional dashboard handler, Probot's webhook middleware, else 404. */
export async function startBotServer(opts: BotServerOptions): Promise<RunningBotServer> {
  const webhooks = await createNodeMiddleware(createCasefileApp({ intake: opts.intake, observer: opts.observer }), {
    probot: opts.probot,
    webhooksPath: WEBHOOK_PATH,
  });
  const server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      opts.probot.log.error({ err: err instanceof Error ? err.message : String(err) }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/ping") {
      res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
      return;
    }
    if (path === WEBHOOK_PATH) {
      // GitHub always says how long a delivery is; a chunked body of unknown length would be
      // buffered whole before its signature is checked, so it is refused up front.
      if (req.method === "POST" && req.headers["content-length"] === undefined) {
        res.writeHead(411, { "content-type": "text/plain", connection: "close" }).end("length required");
        req.destroy();
        return;
      }
      if (Number(req.headers["content-length"] ?? 0) > MAX_WEBHOOK_BYTES) {
        res.writeHead(413, { "content-type": "text/plain", connection: "close" }).end("payload too large");
        req.destroy();
        return;
      }
      // Before the dashboard handler: its /api/* routes are protected, webhooks are signed instead.
      const started = process.hrtime.bigint();
      const answered = await webhooks(req, res);
      if (res.statusCode >= 400 && res.statusCode < 500) {
        // Bad or missing signature, unparsable body: never reached the app's handlers.
        opts.observer?.delivery(String(req.headers["x-github-event"] ?? "unknown"), "invalid", Number(process.hrtime.bigint() - started) / 1e9);
      }
      if (answered) return;
    } else if (opts.httpHandler && (await opts.httpHandler(req, res))) {
      return;
    }
    const handled = res.headersSent;
    if (!handled && !res.headersSent) res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host === "::" || host === "[::]" || host === "0.0.0.0" ? "127.0.0.1" : host.replace(/^\[::1\]$/, "[::1]")}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
