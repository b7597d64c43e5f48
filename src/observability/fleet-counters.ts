import type { Redis } from "ioredis";
import { storeKeys } from "../store/store-keys.js";

/**
 * Counters that worker processes on other machines increment in Redis, so that one scrape of
 * the bot's /metrics shows the whole fleet without service discovery for short-lived workers.
 * A field is "<name>" or "<name>|<label>=<value>"; label values are small closed sets (HTTP
 * status, outcome), never repository names.
 */
export class FleetCounters {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.key = storeKeys(prefix).fleetCounters;
  }

  /** Fire-and-forget: metrics must never fail or slow the job that reports them. */
  add(name: string, value: number, label?: { name: string; value: string }): void {
    if (!Number.isFinite(value) || value <= 0) return;
    const field = label ? `${name}|${label.name}=${label.value}` : name;
    const op = Number.isInteger(value) ? this.redis.hincrby(this.key, field, value) : this.redis.hincrbyfloat(this.key, field, value);
    op.catch(this.onError);
  }

  /** Every counter, as name -> list of (labels, value). */
  async read(): Promise<Map<string, Array<{ labels: Record<string, string>; value: number }>>> {
    const all = await this.redis.hgetall(this.key);
    const out = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
    for (const [field, raw] of Object.entries(all)) {
      const [name, label] = field.split("|", 2);
      const labels: Record<string, string> = {};
      if (label) {
        const eq = label.indexOf("=");
        labels[label.slice(0, eq)] = label.slice(eq + 1);
      }
      const list = out.get(name) ?? [];
      list.push({ labels, value: Number(raw) });
      out.set(name, list);
    }
    return out;
  }
}
