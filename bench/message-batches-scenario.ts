// A fresh process for `batch-api-results-rss`: streams the results of one Message Batch of the fake
// Anthropic server (in the parent) through the SDK into a SQLite store, one result at a time, as
// batch mode does, and reports its peak RSS.
import { createSqliteStore } from '@tubesum/core';
import { ProviderBatchRecords } from '../packages/core/src/summarizers/language-model/provider-batch-records.js';
import { messageBatchesAt } from '../packages/core/test/summarizers/message-batches-client.js';

export interface ResultsScenario {
  url: string;
  batchId: string;
  path: string;
}

const scenario = JSON.parse(process.argv[2] ?? '{}') as ResultsScenario;
const store = createSqliteStore({ path: scenario.path });
const records = new ProviderBatchRecords(store, 'anthropic');
const batches = messageBatchesAt(scenario.url);
const started = performance.now();
let count = 0;
for await (const result of batches.results(scenario.batchId)) {
  await records.saveResult(result.customId, result.type === 'succeeded' ? { type: 'succeeded', message: result.message } : { type: 'canceled' });
  count += 1;
}
await store.close?.();
process.stdout.write(`${JSON.stringify({ count, wallMs: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
