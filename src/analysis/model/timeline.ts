/** The normalised event names of formats.md §2 (generic events). Rules may name others. */
export type FrameEventName =
  | "dma_map"
  | "dma_unmap"
  | "dma_alloc"
  | "dma_free"
  | "iommu_map"
  | "iommu_unmap"
  | "iommu_fault"
  | "page_alloc"
  | "page_free"
  | "mem_offline"
  | "mem_online"
  | "mem_isolate"
  | "migrate"
  | "page_fault"
  | "crash"
  | (string & {});

/** One row of the frame's timeline in the JSON verdict and the report. */
export interface TimelineEntry {
  ts: number;
  event: FrameEventName;
  /** First frame of the event that concerns the case, lowercase hex with 0x. */
  pfn: string | null;
  device: string | null;
  cpu: number | null;
  task: string | null;
  pid: number | null;
  detail: string;
  /** "trace.txt:5018" */
  source: string;
  /** Which rule step this event satisfied, when it is part of a match. */
  step?: number;
}
