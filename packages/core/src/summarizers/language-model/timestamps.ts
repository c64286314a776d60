/**
 * The fixed-width time at the start of each transcript line in the prompt (`75_000` -> `01:15`,
 * `3_725_000` -> `1:02:05`): model input only. What people see uses `timestampLabel` (`1:15`).
 */
export function formatTimestamp(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(2, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}
