import type { ItemRecord, SummaryRecord } from '../records.js';
import type { BatchStore } from '../storage/batch-store.js';
import { storageError } from '../storage/storage-error.js';
import type { Transcript } from '../transcripts/transcript-source.js';
import type { ExportEntry } from './export-format.js';
import type { ExportPageReader } from './export-stream.js';

/**
 * The {@link ExportPageReader} of a job in `store`: items by page, then each page's summaries
 * (and transcripts), with one `getManyCached` per page where the store has it. `items`, when
 * given, replaces the store's items: a running job's items as its processor sees them. Any store
 * failure becomes a `STORAGE_ERROR`.
 */
export function storePageReader(store: BatchStore, jobId: string, items?: readonly ItemRecord[]): ExportPageReader {
  const call = async <T>(operation: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw storageError(operation, `the store (batch ${jobId})`, error);
    }
  };
  /** The cached values under `keys`, in order, in one request where the store can. */
  const readCached = <T>([one, many]: [string, string], keys: string[]): Promise<Array<T | undefined>> => {
    if (keys.length === 0) return Promise.resolve([]);
    if (typeof store.getManyCached === 'function') {
      return call(`read ${many}`, async () => {
        const values: unknown = await store.getManyCached!<T>(keys);
        if (!Array.isArray(values) || values.length !== keys.length) {
          throw new Error(`getManyCached answered ${Array.isArray(values) ? `${values.length} values` : typeof values} for ${keys.length} keys`);
        }
        return values as Array<T | undefined>;
      });
    }
    return Promise.all(keys.map((key) => call(`read ${one}`, () => store.getCached<T>(key))));
  };
  return async ({ offset, limit, summaries, transcripts, signal }) => {
    const page = items ? items.slice(offset, offset + limit) : await call('read items', () => store.getItems(jobId, { offset, limit }));
    const entries = page.map((item): ExportEntry => ({ item }));
    if (!summaries && !transcripts) return entries;
    signal.throwIfAborted();
    const withSummary = summaries ? entries.filter(({ item }) => item.status === 'done' && item.summaryKey !== undefined) : [];
    const withTranscript = transcripts ? entries.filter(({ item }) => item.transcriptKey !== undefined) : [];
    const [summaryValues, transcriptValues] = await Promise.all([
      readCached<SummaryRecord>(
        ['a summary', 'summaries'],
        withSummary.map(({ item }) => item.summaryKey!),
      ),
      readCached<Transcript>(
        ['a transcript', 'transcripts'],
        withTranscript.map(({ item }) => item.transcriptKey!),
      ),
    ]);
    withSummary.forEach((entry, at) => {
      const summary = summaryValues[at];
      if (summary !== undefined) entry.summary = summary;
    });
    withTranscript.forEach((entry, at) => {
      const transcript = transcriptValues[at];
      if (transcript !== undefined) entry.transcript = transcript;
    });
    return entries;
  };
}
