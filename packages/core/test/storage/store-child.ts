// Opened in each child process of the multi-process BatchStore conformance cases (see describeBatchStore's `multiProcess`).
import { openStore } from '../../src/index.js';
import type { BatchStore, OpenStoreOptions } from '../../src/index.js';

export default function open({ url, options }: { url: string; options?: OpenStoreOptions }): Promise<BatchStore> {
  return openStore(url, options);
}
