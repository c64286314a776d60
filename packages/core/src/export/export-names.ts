import type { ItemRecord } from '../records.js';
import { safeFileName } from './safe-file-name.js';

/**
 * The stem of a video's files in the ZIP: its position in the batch, padded so that names sort
 * in batch order, then its title made safe on every OS (`007-What is X`).
 */
export function fileStem(total: number, item: ItemRecord, title: string | undefined): string {
  const width = Math.max(3, String(Math.max(total, 1)).length);
  return `${String(item.index + 1).padStart(width, '0')}-${safeFileName(title ?? item.videoId, { fallback: item.videoId })}`;
}

/** `summaries/<stem>.md`, made unique among `taken` (which it joins) with `-2`, `-3`… */
export function summaryFileName(total: number, item: ItemRecord, title: string | undefined, taken: Set<string>): string {
  return uniqueName('summaries/', fileStem(total, item, title), '.md', taken);
}

/** Paths inside the ZIP of a video's transcript files. */
export interface TranscriptFiles {
  text: string;
  srt: string;
}

/** `transcripts/<stem>.txt` and `.srt`, unique among `taken` (which they join). */
export function transcriptFileNames(total: number, item: ItemRecord, title: string | undefined, taken: Set<string>): TranscriptFiles {
  const stem = fileStem(total, item, title);
  return { text: uniqueName('transcripts/', stem, '.txt', taken), srt: uniqueName('transcripts/', stem, '.srt', taken) };
}

function uniqueName(folder: string, stem: string, extension: string, taken: Set<string>): string {
  let name = `${folder}${stem}${extension}`;
  for (let copy = 2; taken.has(name); copy += 1) name = `${folder}${stem}-${copy}${extension}`;
  taken.add(name);
  return name;
}
