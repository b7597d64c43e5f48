/** Bundle ingest: paths, archives and Markdown -> Bundle of Artifacts recognised by content. */
export { sniffKind } from "./artifact-kind.js";
export { ingestPaths } from "./path-ingest.js";
export { ingestMarkdown } from "./markdown-ingest.js";
export { mergeBundles } from "./merge-bundles.js";
export { extractFencedBlocks, type FencedBlock } from "./markdown-blocks.js";
export { sniffContainer, type ContainerKind } from "./container-kind.js";
