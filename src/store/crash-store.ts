import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import {
  correctionSchema,
  crashId,
  crashRecordSchema,
  parseStored,
  parseSummary,
  summarize,
  type Correction,
  type CrashFilters,
  type CrashRecord,
  type CrashSummary,
  type IssueCorrections,
} from "./crash-record.js";
import { WINDOW_NAMES, WINDOWS, windowStats, type Stats } from "./crash-stats.js";
import { storeKeys, type StoreKeys } from "./store-keys.js";

export type { Correction, CrashFilters, CrashRecord, CrashSummary, IssueCorrections, SortField } from "./crash-record.js";
export type { Stats, WindowStats, WindowName, VerdictAccuracy } from "./crash-stats.js";

/** Upper bounds (seconds) of the analysis duration histogram kept in Redis and exposed on /metrics. */
export const ANALYSIS_DURATION_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] as const;

export class InvalidCursorError extends Error {
  constructor() {
    super("the cursor is not one this API handed out");
  }
}

/**
 * Replaces one issue's record atomically: record, summary, time index, signature index and the
 * fleet metrics move together, and a changed signature leaves the old signature's index. All
 * keys share one hash tag, so the script is legal on Redis Cluster too.
 * KEYS: records, summaries, byTime, verdictCounter, durationHistogram
 * ARGV: id, record, summary, receivedMs, signature, signaturePrefix, verdict, seconds, le-fields...
 */
const RECORD_SCRIPT = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  local ok, prev = pcall(cjson.decode, old)
  if ok and prev['signature'] and prev['signature'] ~= ARGV[5] then
    redis.call('ZREM', ARGV[6] .. redis.sha1hex(prev['signature']), ARGV[1])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', ARGV[6] .. redis.sha1hex(ARGV[5]), 'NX', ARGV[4], ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[7], 1)
redis.call('HINCRBYFLOAT', KEYS[5], 'sum', ARGV[8])
redis.call('HINCRBY', KEYS[5], 'count', 1)
for i = 9, #ARGV do redis.call('HINCRBY', KEYS[5], ARGV[i], 1) end
return 1
`;

const CORRECTION_LOG_CAP = 10_000;
const CHUNK = 1000;

function splitId(id: string): { repository: string; issue: number } {
  const at = id.lastIndexOf("#");
  return { repository: id.slice(0, at), issue: Number(id.slice(at + 1)) };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === "") return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof v.o === "number" && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/**
 * The crash store: every verdict the workers publish, kept in Redis (run it with AOF or RDB
 * persistence, see docs/deploy.md) so the dashboard and duplicate detection survive restarts.
 * One record per repository + issue; a signature's occurrences count distinct issues.
 */
export class CrashStore {
  readonly keys: StoreKeys;

  /** `prefix`: "casefile" becomes the hash tag "{casefile}"; a prefix with a tag is used as given. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** Records (or replaces) the verdict of one issue. Throws when the record breaks the contract. */
  async record(rec: CrashRecord): Promise<void> {
    const parsed = crashRecordSchema.safeParse(rec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`crash record for ${rec?.repository}#${rec?.issue} is invalid: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    const summary = summarize(rec);
    const seconds = rec.duration_ms / 1000;
    const le = ANALYSIS_DURATION_BUCKETS_S.filter((b) => seconds <= b).map((b) => `le:${b}`);
    const k = this.keys;
    await this.redis.eval(
      RECORD_SCRIPT,
      5,
      k.records,
      k.summaries,
      k.byTime,
      k.verdictCounter,
      k.durationHistogram,
      summary.id,
      JSON.stringify(rec),
      JSON.stringify(summary),
      String(summary.received_ms),
      rec.signature,
      k.signaturePrefix,
      rec.verdict,
      String(seconds),
      ...le,
    );
  }

  /** How many distinct issues showed this signature, and the first of them. */
  async occurrences(signature: string): Promise<{ count: number; first: { repository: string; repo: string; issue: number; at: string } | null }> {
    const key = this.signatureKey(signature);
    const [count, first] = await Promise.all([this.redis.zcard(key), this.redis.zrange(key, "0", "0", "WITHSCORES")]);
    if (first.length < 2) return { count, first: null };
    const { repository, issue } = splitId(first[0]);
    return { count, first: { repository, repo: repository, issue, at: new Date(Number(first[1])).toISOString() } };
  }

  /** Occurrence counts of several signatures in one round trip. */
  async occurrenceCounts(signatures: Iterable<string>): Promise<Map<string, number>> {
    const unique = [...new Set(signatures)];
    const out = new Map<string, number>();
    if (unique.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const s of unique) pipe.zcard(this.signatureKey(s));
    const results = (await pipe.exec()) ?? [];
    unique.forEach((s, i) => out.set(s, Number(results[i]?.[1] ?? 0)));
    return out;
  }

  /** Records a `/casefile wrong` or `/casefile owner` correction; the latest of each kind counts. */
  async recordCorrection(c: Correction): Promise<void> {
    const parsed = correctionSchema.safeParse(c);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`correction for ${c?.repository}#${c?.issue} is invalid: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    const json = JSON.stringify(parsed.data);
    await this.redis
      .multi()
      .hset(this.keys.corrections, `${crashId(c.repository, c.issue)}|${c.kind}`, json)
      .lpush(this.keys.correctionLog, json)
      .ltrim(this.keys.correctionLog, 0, CORRECTION_LOG_CAP - 1)
      .exec();
  }

  /** One issue's record, or null when it was never recorded (or is unreadable: then `error`). */
  async get(repository: string, issue: number): Promise<CrashRecord | null> {
    const raw = await this.redis.hget(this.keys.records, crashId(repository, issue));
    if (raw === null) return null;
    const rec = parseStored(crashRecordSchema, raw, `record ${crashId(repository, issue)}`);
    if (rec instanceof Error) throw rec;
    return rec as unknown as CrashRecord;
  }

  /** The latest corrections of one issue. */
  async correctionsOf(repository: string, issue: number): Promise<IssueCorrections> {
    const id = crashId(repository, issue);
    const [verdict, owner] = await this.redis.hmget(this.keys.corrections, `${id}|verdict`, `${id}|owner`);
    const out: IssueCorrections = {};
    for (const [kind, raw] of [["verdict", verdict], ["owner", owner]] as const) {
      if (raw === null) continue;
      const c = parseStored(correctionSchema, raw, `correction ${id}|${kind}`);
      if (!(c instanceof Error)) out[kind] = c;
    }
    return out;
  }

  /** The latest corrections of several issues (by crash id "owner/name#N") in one round trip. */
  async correctionsOfMany(ids: string[]): Promise<Map<string, IssueCorrections>> {
    const out = new Map<string, IssueCorrections>();
    if (ids.length === 0) return out;
    const fields = ids.flatMap((id) => [`${id}|verdict`, `${id}|owner`]);
    const raws = await this.redis.hmget(this.keys.corrections, ...fields);
    raws.forEach((raw, i) => {
      if (raw === null) return;
      const c = parseStored(correctionSchema, raw, `correction ${fields[i]}`);
      if (c instanceof Error) return;
      const id = ids[i >> 1];
      out.set(id, { ...out.get(id), [c.kind]: c });
    });
    return out;
  }

  /** The most recent corrections, newest first. */
  async recentCorrections(limit: number): Promise<Correction[]> {
    const raws = await this.redis.lrange(this.keys.correctionLog, 0, Math.max(0, limit - 1));
    return raws.map((r) => parseStored(correctionSchema, r, "correction")).filter((c): c is Correction => !(c instanceof Error));
  }

  /**
   * Filtered, sorted, paginated records. The cursor is opaque (an offset); `total` counts every
   * match. Newest arrival first unless `filters.sort`/`order` say otherwise.
   */
  async query(filters: CrashFilters, page: { cursor?: string; limit: number }): Promise<{ items: CrashRecord[]; next: string | null; total: number }> {
    const offset = decodeCursor(page.cursor);
    const limit = Math.max(1, Math.min(500, Math.floor(page.limit) || 1));
    const { ids, total } = await this.matchingIds(filters, offset, limit);
    const items = await this.records(ids);
    const nextOffset = offset + ids.length;
    return { items, next: nextOffset < total && ids.length > 0 ? encodeCursor(nextOffset) : null, total };
  }

  /** Dashboard figures for the 24h / 7d / 30d windows ending at `now`. */
  async stats(now: Date): Promise<Stats> {
    const end = now.getTime();
    const longest = Math.max(...WINDOW_NAMES.map((w) => WINDOWS[w].ms));
    const [ids, total, corrections] = await Promise.all([
      this.redis.zrangebyscore(this.keys.byTime, end - longest, end),
      this.redis.zcard(this.keys.byTime),
      this.allCorrections(),
    ]);
    const rows = await this.summaries(ids);
    const windows = Object.fromEntries(WINDOW_NAMES.map((w) => [w, windowStats(rows, corrections, end, w)])) as Stats["windows"];
    return { generated_at: now.toISOString(), total, windows };
  }

  /** Fleet-wide analysis counters kept by `record` (monotonic; /metrics reads them). */
  async analysisCounters(): Promise<{ verdicts: Record<string, number>; duration: { buckets: Map<number, number>; sum: number; count: number } }> {
    const [verdicts, hist] = await Promise.all([this.redis.hgetall(this.keys.verdictCounter), this.redis.hgetall(this.keys.durationHistogram)]);
    const buckets = new Map<number, number>();
    for (const b of ANALYSIS_DURATION_BUCKETS_S) buckets.set(b, Number(hist[`le:${b}`] ?? 0));
    return {
      verdicts: Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [k, Number(v)])),
      duration: { buckets, sum: Number(hist.sum ?? 0), count: Number(hist.count ?? 0) },
    };
  }

  /** Compact rows of the given ids, in the same order; unreadable rows are skipped. */
  async summaries(ids: string[]): Promise<CrashSummary[]> {
    if (ids.length === 0) return [];
    // One pipelined round trip however many chunks (a month of crashes can be tens of thousands).
    const pipe = this.redis.pipeline();
    for (let i = 0; i < ids.length; i += CHUNK) pipe.hmget(this.keys.summaries, ...ids.slice(i, i + CHUNK));
    const results = (await pipe.exec()) ?? [];
    const out: CrashSummary[] = [];
    for (const [err, raws] of results) {
      if (err) throw err;
      for (const raw of raws as Array<string | null>) {
        if (raw === null) continue;
        const s = parseSummary(raw);
        if (s) out.push(s);
      }
    }
    return out;
  }

  /**
   * Removes every key of this store (tests, maintenance): its crash and metrics keys only, never
   * the BullMQ queues that may share the hash tag.
   */
  async clear(): Promise<void> {
    const tag = this.keys.prefix.replace(/[*?[\]\\]/g, "\\$&");
    for (const pattern of [`${tag}:crash:*`, `${tag}:metrics:*`]) {
      let cursor = "0";
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await this.redis.unlink(...keys);
      } while (cursor !== "0");
    }
  }

  private signatureKey(signature: string): string {
    // Same digest as the record script's redis.sha1hex, so both address one key.
    return this.keys.signaturePrefix + sha1hex(signature);
  }

  private async records(ids: string[]): Promise<CrashRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.records, ...ids);
    const out: CrashRecord[] = [];
    raws.forEach((raw, i) => {
      if (raw === null) return;
      const rec = parseStored(crashRecordSchema, raw, `record ${ids[i]}`);
      if (!(rec instanceof Error)) out.push(rec as unknown as CrashRecord);
    });
    return out;
  }

  private async allCorrections(): Promise<Map<string, IssueCorrections>> {
    const all = await this.redis.hgetall(this.keys.corrections);
    const out = new Map<string, IssueCorrections>();
    for (const [field, raw] of Object.entries(all)) {
      const bar = field.lastIndexOf("|");
      const id = field.slice(0, bar);
      const kind = field.slice(bar + 1);
      if (kind !== "verdict" && kind !== "owner") continue;
      const c = parseStored(correctionSchema, raw, `correction ${field}`);
      if (c instanceof Error) continue;
      const entry = out.get(id) ?? {};
      entry[kind] = c;
      out.set(id, entry);
    }
    return out;
  }

  /** Ids of the page, and the number of all matches. */
  private async matchingIds(f: CrashFilters, offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const min = f.since ? f.since.getTime() : "-inf";
    const max = f.until ? `(${f.until.getTime()}` : "+inf";
    const sort = f.sort ?? "received_at";
    const desc = (f.order ?? "desc") === "desc";
    const index = f.signature !== undefined ? this.signatureKey(f.signature) : this.keys.byTime;
    const onlyTime = f.signature === undefined && !f.verdict?.length && !f.owner && !f.repository;
    if (onlyTime && sort === "received_at") {
      // The common case (the dashboard's first page): straight from the time index.
      const [total, ids] = await Promise.all([
        this.redis.zcount(index, min, max),
        desc
          ? this.redis.zrevrangebyscore(index, max, min, "LIMIT", offset, limit)
          : this.redis.zrangebyscore(index, min, max, "LIMIT", offset, limit),
      ]);
      return { ids, total };
    }
    // The signature index scores by first sighting, which a rerun does not move; time bounds
    // apply to the record's arrival, so that index is read whole and filtered here.
    let rows = await this.summaries(f.signature !== undefined ? await this.redis.zrange(index, "0", "-1") : await this.redis.zrangebyscore(index, min, max));
    if (f.signature !== undefined) {
      rows = rows.filter((r) => (!f.since || r.received_ms >= f.since.getTime()) && (!f.until || r.received_ms < f.until.getTime()));
    }
    const owner = f.owner?.toLowerCase();
    rows = rows.filter(
      (r) =>
        (!f.verdict?.length || f.verdict.includes(r.verdict)) &&
        (!f.repository || r.repository.toLowerCase() === f.repository.toLowerCase()) &&
        (!owner ||
          (owner === "none"
            ? r.owners.length === 0
            : r.owners.some((o) => o.toLowerCase() === owner) || r.owner_labels.some((l) => l.toLowerCase() === owner))),
    );
    const occurrences = sort === "occurrences" ? await this.occurrenceCounts(rows.map((r) => r.signature)) : new Map<string, number>();
    const key = (r: CrashSummary): number | string => {
      switch (sort) {
        case "confidence":
          return r.confidence;
        case "verdict":
          return r.verdict;
        case "repository":
          return `${r.repository}#${String(r.issue).padStart(10, "0")}`;
        case "owner":
          return r.owners[0] ?? "";
        case "occurrences":
          return occurrences.get(r.signature) ?? 0;
        case "duration_ms":
          return r.duration_ms;
        default:
          return r.received_ms;
      }
    };
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : b.received_ms - a.received_ms; // ties: newest first
      return desc && ka !== kb ? -c : c;
    });
    return { ids: rows.slice(offset, offset + limit).map((r) => r.id), total: rows.length };
  }
}

function sha1hex(s: string): string {
  return createHash("sha1").update(s, "utf8").digest("hex");
}
