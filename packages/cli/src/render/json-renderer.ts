import type { Output } from '../output.js';
import type { Renderer } from './types.js';

/**
 * `--json`: one JSON object per line on stdout, `{ "type": "<event name>", ...event }`,
 * and `{ "type": "result", ... }` for outcomes. Notices go to stderr, so stdout stays parseable.
 */
export function createJsonRenderer({ stdout, stderr }: Output): Renderer {
  const line = (value: Record<string, unknown>) => stdout.write(`${JSON.stringify(value)}\n`);
  return {
    event(type, event) {
      line({ type, ...event });
    },
    notice(text) {
      stderr.write(`${text}\n`);
    },
    result(_text, data) {
      line({ type: 'result', ...data });
    },
    close() {},
  };
}
