import { durationSeconds, type Rule, type RuleStep } from "../config/casefile-config.js";
import type { FrameEvent, LostEvents } from "./frame-event.js";

/** One rule matched on one frame's history. */
export interface RuleMatch {
  rule: Rule;
  pfn: number;
  /** The events that satisfied the steps, in step order. */
  steps: FrameEvent[];
  bindings: Record<string, string>;
  /** Tracer losses between the first and the last step: absence can no longer be proven there. */
  lost: LostEvents[];
}

/** Search effort per rule and frame; a pathological history cannot stall the analysis. */
const BUDGET = 200_000;

type Bindings = Record<string, string>;

/** The value of a field a rule may name: event fields first, then the event's own properties. */
export function fieldOf(ev: FrameEvent, name: string): string | undefined {
  const v = ev.fields[name];
  if (v !== undefined && v !== "") return v;
  switch (name) {
    case "device":
      return ev.device ?? undefined;
    case "driver":
      return ev.driver ?? undefined;
    case "pid":
      return ev.pid === null ? undefined : String(ev.pid);
    case "task":
      return ev.task ?? undefined;
    case "cpu":
      return ev.cpu === null ? undefined : String(ev.cpu);
    case "event":
      return ev.event;
  }
  return undefined;
}

function names(step: RuleStep): readonly string[] {
  return typeof step.event === "string" ? [step.event] : step.event;
}

function nameMatches(step: RuleStep, ev: FrameEvent): boolean {
  const list = names(step);
  return list.includes(ev.event) || (ev.fields.tracepoint !== undefined && list.includes(ev.fields.tracepoint));
}

/** `value`, `$var`, `!value` or `!$var` against an event field. Unbound variables never match. */
function conditionHolds(actual: string | undefined, expected: string, b: Bindings): boolean {
  const negate = expected.startsWith("!");
  let want = negate ? expected.slice(1) : expected;
  if (want.startsWith("$")) {
    const bound = b[want];
    if (bound === undefined) return false;
    want = bound;
  }
  if (actual === undefined) return negate;
  return negate ? actual !== want : actual === want;
}

/** Checks `where` and applies `bind`; returns the new bindings or null when the step does not hold. */
function stepHolds(step: RuleStep, ev: FrameEvent, b: Bindings): Bindings | null {
  if (!nameMatches(step, ev)) return null;
  if (step.where) for (const [field, expected] of Object.entries(step.where)) if (!conditionHolds(fieldOf(ev, field), expected, b)) return null;
  if (!step.bind) return b;
  let out = b;
  for (const [field, variable] of Object.entries(step.bind)) {
    const value = fieldOf(ev, field);
    if (value === undefined) return null;
    const key = variable.startsWith("$") ? variable : "$" + variable;
    if (out[key] !== undefined) {
      if (out[key] !== value) return null;
      continue;
    }
    if (out === b) out = { ...b };
    out[key] = value;
  }
  return out;
}

/**
 * Finds the rule on one frame's time-ordered history: the latest first step that leads to a full
 * match, each later step taken as early as possible, no `absent` event in between, within the
 * time window. Earlier clean lives of the frame therefore never hide a later stale one.
 */
export function matchRule(rule: Rule, pfn: number, events: readonly FrameEvent[], lost: readonly LostEvents[]): RuleMatch | null {
  const within = rule.within === undefined ? Infinity : durationSeconds(rule.within);
  const steps = rule.steps;
  let budget = BUDGET;
  const chosen: FrameEvent[] = new Array(steps.length);

  const absentBetween = (from: number, to: number, b: Bindings): boolean => {
    for (let k = from + 1; k < to; k++) {
      for (const a of rule.absent) {
        if (!nameMatches(a, events[k])) continue;
        // `bind` in an absent clause reads as a condition on already bound variables.
        const conds = { ...(a.where ?? {}), ...Object.fromEntries(Object.entries(a.bind ?? {}).map(([f, v]) => [f, v.startsWith("$") ? v : "$" + v])) };
        if (Object.entries(conds).every(([field, expected]) => conditionHolds(fieldOf(events[k], field), expected, b))) return true;
      }
    }
    return false;
  };

  const search = (k: number, from: number, firstIdx: number, b: Bindings): Bindings | null => {
    if (k === steps.length) return b;
    const t0 = events[firstIdx].ts;
    for (let j = from; j < events.length; j++) {
      if (--budget < 0) return null;
      const ev = events[j];
      if (ev.ts - t0 > within) break;
      const nb = stepHolds(steps[k], ev, b);
      if (!nb) continue;
      if (k === steps.length - 1 && rule.absent.length > 0 && absentBetween(firstIdx, j, nb)) continue;
      chosen[k] = ev;
      const done = search(k + 1, j + 1, firstIdx, nb);
      if (done) return done;
    }
    return null;
  };

  for (let i = events.length - 1; i >= 0; i--) {
    if (budget < 0) break;
    const b = stepHolds(steps[0], events[i], {});
    if (!b) continue;
    chosen[0] = events[i];
    const done = steps.length === 1 ? b : search(1, i + 1, i, b);
    if (!done) continue;
    const first = chosen[0].ts;
    const last = chosen[steps.length - 1].ts;
    return {
      rule,
      pfn,
      steps: [...chosen],
      bindings: done,
      lost: lost.filter((l) => l.ts >= first && l.ts <= last),
    };
  }
  return null;
}
