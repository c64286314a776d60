// The shared summarizer log of the worker processes, and video URLs; no test runner here, so that
// the benchmarks (bench/workers.ts) use them too.
import { readFileSync } from 'node:fs';

/** The retry policy of the worker processes; a local run to compare with uses the same. */
export const WORKER_RETRY = { attempts: 2, minDelayMs: 10, maxDelayMs: 50 };

/** Lines of the shared summarizer log. */
export function readCallLog(callLog: string): { pid: string; videoId: string; what: string; at: number }[] {
  let text = '';
  try {
    text = readFileSync(callLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [pid = '', videoId = '', what = '', at = '0'] = line.split(' ');
      return { pid, videoId, what, at: Number(at) };
    });
}

/** `count` distinct 11-character video URLs. */
export function videoUrls(count: number, tag = 'v'): string[] {
  return Array.from({ length: count }, (_, index) => `https://youtu.be/${tag}${String(index).padStart(11 - tag.length, '0')}`);
}
