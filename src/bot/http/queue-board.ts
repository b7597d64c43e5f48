import type { IncomingMessage, ServerResponse } from "node:http";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";

export const QUEUE_BOARD_PATH = "/admin/queues";

/**
 * bull-board, read-only (no retry, clean or remove buttons: the dashboard is for looking), as a
 * handler that resolves when Express answered. Express is only used inside this function, so
 * Probot's own middleware and 404 never race it.
 */
export function createQueueBoard(queues: Queue[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    // @bull-board/express 9.10.1 nests its own @bull-board/api 9.10.1 next to our 9.10.2: same
    // shapes, separate declarations, so the types need this nudge.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]["serverAdapter"],
    options: { uiConfig: { boardTitle: "casefile queues" } },
  });
  const app = express();
  app.disable("x-powered-by");
  app.use(QUEUE_BOARD_PATH, serverAdapter.getRouter() as express.Router);
  return (req, res) =>
    new Promise<void>((resolve) => {
      res.once("finish", () => resolve());
      res.once("close", () => resolve());
      app(req as express.Request, res as express.Response, (err?: unknown) => {
        if (!res.headersSent) {
          res.statusCode = err ? 500 : 404;
          res.setHeader("content-type", "text/plain; charset=utf-8");
          res.end(err ? "queue board error\n" : "not found\n");
        }
        resolve();
      });
    });
}
