/** Console log / crash-report parser: the public surface of src/analysis/console. */
export { parseConsoleLog, crashTraits, type ConsoleFacts } from "./parse-console-log.js";
export { parseLspci } from "./lspci-parser.js";
export { normaliseBdf } from "./device-lines.js";
export { CRASH_FAMILIES, BUG_TYPE_VERDICTS, MEMORY_CORRUPTION_KINDS } from "./crash-families.js";
