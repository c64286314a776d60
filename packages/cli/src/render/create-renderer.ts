import { createJsonRenderer } from './json-renderer.js';
import { createPlainRenderer } from './plain-renderer.js';
import { createProgressBarRenderer } from './progress-bar-renderer.js';
import type { Output } from '../output.js';
import type { Renderer, RenderMode } from './types.js';

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
