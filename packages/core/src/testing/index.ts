// Test helpers of @tubesum/core: `import { … } from '@tubesum/core/testing'` (needs vitest for the suites).

export { FakeSummarizer } from './fake-summarizer.js';
export type { FakeSummarizerOptions } from './fake-summarizer.js';
export { FakeTranscriptSource } from './fake-transcript-source.js';
export type { FailureScript, FakeTranscriptSourceOptions, ScriptedFailure } from './fake-transcript-source.js';

export { describeBatchStore } from './batch-store-suite.js';
export type { DescribeBatchStoreOptions } from './batch-store-suite.js';
export type { MultiProcessOptions } from './batch-store-processes.js';
