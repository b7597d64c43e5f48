/**
 * Recognises GitHub's rate-limit answers (429, and 403 with an exhausted quota or a secondary
 * limit) and how long to wait: `retry-after`, else `x-ratelimit-reset`, else a minute.
 */
export function rateLimitWaitMs(err: unknown, now = Date.now()): number | null {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | number | undefined> } };
  if (e?.status !== 429 && e?.status !== 403) return null;
  const headers = e.response?.headers ?? {};
  const remaining = headers["x-ratelimit-remaining"];
  const secondary = /secondary rate limit|abuse detection|rate limit exceeded/i.test(e.message ?? "");
  if (e.status === 403 && String(remaining) !== "0" && !secondary && headers["retry-after"] === undefined) return null;
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now);
  return 60_000;
}
