import type { ProviderBatchWait } from '../summarizer.js';

/** `12 min`, `1 h 5 min`, `less than a minute`. */
function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * A wait on a provider batch in words, for progress messages: `waiting for Anthropic's batch
 * (submitted 12 min ago, usually under 1 h)`, or `collecting requests for Anthropic's batch`
 * before it is sent. Until the batch ends only "processing" is known, so no percentage is given.
 */
export function describeProviderBatchWait(wait: ProviderBatchWait, now: number = Date.now()): string {
  if (wait.phase === 'collecting' || wait.submittedAt === undefined) return `collecting requests for ${wait.provider}'s batch`;
  const submitted = Date.parse(wait.submittedAt);
  const ago = Number.isNaN(submitted) ? '' : `submitted ${duration(Math.max(0, now - submitted))} ago, `;
  return `waiting for ${wait.provider}'s batch (${ago}usually under ${duration(wait.typicalMs)})`;
}
