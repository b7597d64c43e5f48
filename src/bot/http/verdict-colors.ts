import type { VerdictKind } from "../../analysis/model/verdict-kind.js";

/** One colour per verdict, the same in badges (dashboard.css .v-*) and charts. */
export const VERDICT_COLORS: Record<VerdictKind, string> = {
  "stale-dma": "#e03131",
  "dma-fault": "#f08c00",
  "cache-line-corruption": "#7048e8",
  "bit-flip": "#1c7ed6",
  "use-after-free": "#c2255c",
  "out-of-bounds": "#2f9e44",
  "double-free": "#0c8599",
  "software-corruption": "#5c940d",
  inconclusive: "#868e96",
};
