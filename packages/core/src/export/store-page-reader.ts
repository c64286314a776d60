import type { ItemRecord, SummaryRecord } from '../records.js';
import type { BatchStore } from '../storage/batch-store.js';
import { storageError } from '../storage/storage-error.js';
import type { Transcript } from '../transcripts/transcript-source.js';
import type { ExportEntry } from './export-format.js';
import type { ExportPageReader } from './export-stream.js';

/**
 * The {@link ExportPageReader} of a job in `store`: items by page, then each page's summaries
 * (and transcripts) read at once. `items`, when given, replaces the store's items: a running job's
 * items as its processor sees them. Any store failure becomes a `STORAGE_ERROR`.
 */
export function storePageReader(store: BatchStore, jobId: string, items?: readonly ItemRecord[]): ExportPageReader {
  const call = async <T>(operation: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw storageError(operation, `the store (batch ${jobId})`, error);
    }
  };
  return async ({ offset, limit, summaries, transcripts, signal }) => {
    const page = items ? items.slice(offset, offset + limit) : await call('read items', () => store.getItems(jobId, { offset, limit }));
    if (!summaries && !transcripts) return page.map((item) => ({ item }));
    signal.throwIfAborted();
    return Promise.all(
      page.map(async (item): Promise<ExportEntry> => {
        const entry: ExportEntry = { item };
        const { summaryKey, transcriptKey } = item;
        if (summaries && item.status === 'done' && summaryKey !== undefined) {
          const summary = await call('read a summary', () => store.getCached<SummaryRecord>(summaryKey));
          if (summary !== undefined) entry.summary = summary;
        }
        if (transcripts && transcriptKey !== undefined) {
          const transcript = await call('read a transcript', () => store.getCached<Transcript>(transcriptKey));
          if (transcript !== undefined) entry.transcript = transcript;
        }
        return entry;
      }),
    );
  };
}
