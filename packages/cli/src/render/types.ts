import type { BatchEvents } from '@tubesum/core';

export type BatchEventName = keyof BatchEvents;
export type BatchEventOf<K extends BatchEventName> = Parameters<BatchEvents[K]>[0];

/** Shows a running batch: a progress bar, one line per event, or NDJSON. */
export interface Renderer {
  /** Shows one batch event. */
  event<K extends BatchEventName>(type: K, event: BatchEventOf<K>): void;
  /** A message for the person (notices, warnings); stderr, or above the progress bar. */
  notice(text: string): void;
  /** An outcome: `text` for people on stdout, `data` as one JSON line with `--json`. */
  result(text: string, data: Record<string, unknown>): void;
  /** Stops drawing. Safe to call twice. */
  close(): void;
}

/** How a running batch is shown: a live progress bar, one line per event, or NDJSON. */
export type RenderMode = 'bar' | 'plain' | 'json';
