import type { BatchEvents } from '@tubesum/core';
import { createJsonRenderer } from './json-renderer.js';
import { createPlainRenderer } from './plain-renderer.js';
import { createProgressBarRenderer } from './progress-bar-renderer.js';

/** A writable terminal stream. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Where the command line writes. */
export interface Output {
  stdout: OutputStream;
  stderr: OutputStream;
}

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

export type RenderMode = 'bar' | 'plain' | 'json';

/** `--json` -> NDJSON; a terminal -> a live progress bar; anything else -> one line per event. */
export function renderModeFor(output: Output, json: boolean): RenderMode {
  if (json) return 'json';
  return output.stdout.isTTY ? 'bar' : 'plain';
}

export function createRenderer(mode: RenderMode, output: Output): Renderer {
  switch (mode) {
    case 'json':
      return createJsonRenderer(output);
    case 'bar':
      return createProgressBarRenderer(output);
    case 'plain':
      return createPlainRenderer(output);
  }
}
