/**
 * Links into YouTube videos and the one timestamp label shown to people (in summaries, exports,
 * the bot and the CLI). Shared by `summarizers/` and `export/`, so neither imports the other.
 */

/** The canonical watch link of `videoId`. */
export function videoUrl(videoId: string): string {
  return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}`;
}

/** The link that opens `videoId` at `ms`, rounded down to the second (`…&t=SECONDS`). */
export function timestampUrl(videoId: string, ms: number): string {
  return `${videoUrl(videoId)}&t=${wholeSeconds(ms)}`;
}

/** Milliseconds as whole, non-negative seconds; anything that is not a finite number is 0. */
export function wholeSeconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
}

/** A timestamp label as YouTube writes it: `0:42`, `12:05`, `1:02:05`. */
export function timestampLabel(ms: number): string {
  const total = wholeSeconds(ms);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
