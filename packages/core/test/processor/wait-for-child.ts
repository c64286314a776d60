// A script that only waits: opens the SQLite store at argv[2] and awaits waitFor() on the job
// argv[3], run by another process. Prints the status it ended with.
import { BatchProcessor, createSqliteStore } from '@tubesum/core';
import { FakeSummarizer, FakeTranscriptSource } from '@tubesum/core/testing';

const [path, jobId] = process.argv.slice(2) as [string, string];
const store = createSqliteStore({ path });
const processor = new BatchProcessor({ transcripts: new FakeTranscriptSource(), summarizer: new FakeSummarizer(), store, pollIntervalMs: 50 });
process.stdout.write('waiting\n');
const ended = await processor.waitFor(jobId, { userId: 'waiter' });
process.stdout.write(`${ended.status}\n`);
await processor.close();
await store.close?.();
