import type { Output } from '../output.js';
import { plainLine } from './event-line.js';
import type { Renderer } from './types.js';

/** One line per event on stdout, for logs and pipes. */
export function createPlainRenderer({ stdout, stderr }: Output): Renderer {
  return {
    event(type, event) {
      const line = plainLine(type, event);
      if (line !== undefined) stdout.write(`${line}\n`);
    },
    notice(text) {
      stderr.write(`${text}\n`);
    },
    result(text) {
      stdout.write(`${text}\n`);
    },
    close() {},
  };
}
