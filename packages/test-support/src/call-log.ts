// The shared log of summarizer calls that worker and replica processes append to, so a test counts
// the calls (what was paid) across processes: one line per event, `pid videoId what epochMs`.
import { appendFileSync, readFileSync } from 'node:fs';

/** One line of the log: which process, which video, what happened (`start`, `end`, `abort`) and when. */
export interface LoggedCall {
  pid: string;
  videoId: string;
  what: string;
  at: number;
}

/** Appends `what` for `videoId` by this process; `start` is a summarizer call begun (a call paid). */
export function logCall(callLog: string, videoId: string, what = 'start'): void {
  appendFileSync(callLog, `${process.pid} ${videoId} ${what} ${Date.now()}\n`);
}

/** The lines of the log, oldest first; none when it does not exist yet. */
export function readCallLog(callLog: string): LoggedCall[] {
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
