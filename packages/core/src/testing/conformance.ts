// Conformance suites of @tubesum/core: `import { describeBatchStore } from '@tubesum/core/testing/conformance'`.
// They register vitest suites, so this entry loads vitest; the fakes of `@tubesum/core/testing` do not.

export { describeBatchStore } from './batch-store-suite.js';
export type { DescribeBatchStoreOptions } from './batch-store-suite.js';
export type { MultiProcessOptions } from './batch-store-processes.js';
