/**
 * Memory evidence (issue 3): dump readers into one sparse physical view, then the corrupted
 * region, its alignment class, its named content and the evidence. The rest of casefile uses
 * only what is exported here.
 */
export { loadMemory, type MemoryLoad } from "./load-memory.js";
export { findCorruptedRegion, type FindRegionInput, type MemoryFindings } from "./region-finder.js";
export { PhysicalMemory, type CoveredRange } from "./physical-memory.js";
export { classifyAlignment, framesOf, granuleOf } from "./alignment.js";
export { inLinearMap, linearToPhysical, physicalToLinear, toPhysical } from "./linear-map.js";
export { parseVmcoreinfo, vmcoreinfoHints } from "./vmcoreinfo.js";
export { readHexdumpText } from "./hexdump-reader.js";
export { readXxdText } from "./xxd-reader.js";
export { readCrashRdText } from "./crash-rd-reader.js";
