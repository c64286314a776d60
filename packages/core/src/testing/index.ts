// Test helpers of @tubesum/core: `import { … } from '@tubesum/core/testing'`. Loads no test runner: the
// conformance suites (`describeBatchStore`), which need vitest, are in '@tubesum/core/testing/conformance'.

export { FakeSummarizer } from './fake-summarizer.js';
export type { FakeSummarizerOptions } from './fake-summarizer.js';
export { FakeTranscriptSource } from './fake-transcript-source.js';
export type { FailureScript, FakeTranscriptSourceOptions, ScriptedFailure } from './fake-transcript-source.js';
