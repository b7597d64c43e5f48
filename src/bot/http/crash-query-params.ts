import { z } from "zod";
import { VERDICT_KINDS } from "../../analysis/model/verdict-kind.js";
import type { CrashFilters, SortField } from "../../store/crash-record.js";
import { WINDOWS, type WindowName } from "../../store/crash-stats.js";

export const SORT_FIELDS: SortField[] = ["received_at", "confidence", "verdict", "repository", "owner", "occurrences", "duration_ms"];

/** What the filter form and /api/crashes accept, as strings from the query. */
const paramsSchema = z.object({
  verdict: z.array(z.enum(VERDICT_KINDS, { error: `verdict must be one of ${VERDICT_KINDS.join(", ")}` })).default([]),
  owner: z.string().max(200).optional(),
  repository: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, "repository must be owner/name")
    .optional(),
  signature: z.string().max(500).optional(),
  window: z.enum(["24h", "7d", "30d", "all"], { error: "window must be 24h, 7d, 30d or all" }).optional(),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date-time" }).optional(),
  until: z.iso.datetime({ offset: true, error: "until must be an ISO 8601 date-time" }).optional(),
  sort: z.enum(SORT_FIELDS as [SortField, ...SortField[]], { error: `sort must be one of ${SORT_FIELDS.join(", ")}` }).default("received_at"),
  order: z.enum(["asc", "desc"], { error: "order must be asc or desc" }).default("desc"),
  limit: z.coerce.number({ error: "limit must be a number" }).int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export interface CrashQuery {
  filters: CrashFilters;
  page: { cursor?: string; limit: number };
  /** The window the form shows ("all" when since/until or nothing was given). */
  window: WindowName | "all";
  /** The raw, validated values, to rebuild links (sorting, next page) that keep the filters. */
  params: Record<string, string | undefined>;
}

/** Parses filter query parameters; returns a plain-words message on bad input. */
export function parseCrashQuery(search: URLSearchParams, now: Date, defaults: { window?: WindowName | "all"; limit?: number } = {}): CrashQuery | { error: string } {
  const single = (k: string) => {
    const v = search.get(k)?.trim();
    return v ? v : undefined;
  };
  const raw = {
    verdict: search
      .getAll("verdict")
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean),
    owner: single("owner"),
    repository: single("repository"),
    signature: single("signature"),
    window: single("window") ?? defaults.window,
    since: single("since"),
    until: single("until"),
    sort: single("sort"),
    order: single("order"),
    limit: single("limit") ?? defaults.limit,
    cursor: single("cursor"),
  };
  const parsed = paramsSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { error: `${i?.path.join(".") || "query"}: ${i?.message ?? "invalid"}` };
  }
  const p = parsed.data;
  const window = p.window ?? "all";
  const since = p.since ? new Date(p.since) : window !== "all" ? new Date(now.getTime() - WINDOWS[window].ms) : undefined;
  const filters: CrashFilters = {
    verdict: p.verdict.length ? p.verdict : undefined,
    owner: p.owner,
    repository: p.repository,
    signature: p.signature,
    since,
    until: p.until ? new Date(p.until) : undefined,
    sort: p.sort,
    order: p.order,
  };
  return {
    filters,
    page: { cursor: p.cursor, limit: p.limit },
    window,
    params: {
      verdict: p.verdict.join(",") || undefined,
      owner: p.owner,
      repository: p.repository,
      signature: p.signature,
      window: p.window,
      since: p.since,
      until: p.until,
      sort: p.sort === "received_at" ? undefined : p.sort,
      order: p.order === "desc" ? undefined : p.order,
    },
  };
}
