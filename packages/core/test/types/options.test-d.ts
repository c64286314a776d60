// The options objects are the public configuration surface: every option is optional (a default
// exists for each), and the documented names and value types hold. A rename or a newly required
// option fails to compile here.
import { describe, expectTypeOf, it } from 'vitest';
import { AnthropicSummarizer, BatchProcessor, OpenAICompatibleSummarizer, YouTubeTranscriptSource, openStore } from '@tubesum/core';
import type {
  AnthropicSummarizerOptions,
  BatchProcessorOptions,
  BatchStore,
  ExecutorPipelineOptions,
  InProcessPipelineOptions,
  ItemExecutor,
  JobOptions,
  OpenAICompatibleSummarizerOptions,
  Requester,
  SubmitInput,
  Summarizer,
  SummaryLength,
  TranscriptSource,
  YouTubeTranscriptSourceOptions,
} from '@tubesum/core';

describe('BatchProcessorOptions', () => {
  it('needs a transcript source and a summarizer, unless an executor runs the work; everything else has a default', () => {
    expectTypeOf<{ transcripts: TranscriptSource; summarizer: Summarizer }>().toExtend<BatchProcessorOptions>();
    expectTypeOf<{ summarizer: Summarizer }>().not.toExtend<BatchProcessorOptions>();
    expectTypeOf<{ executor: ItemExecutor; store: BatchStore }>().toExtend<BatchProcessorOptions>();
    expectTypeOf<{ store: BatchStore }>().not.toExtend<BatchProcessorOptions>();
    expectTypeOf(BatchProcessor).constructorParameters.toEqualTypeOf<[options: BatchProcessorOptions]>();
  });

  it('takes the adapters by their contracts', () => {
    expectTypeOf<BatchProcessorOptions['store']>().toEqualTypeOf<BatchStore | undefined>();
    expectTypeOf<InProcessPipelineOptions['transcripts']>().toEqualTypeOf<TranscriptSource>();
    expectTypeOf<InProcessPipelineOptions['summarizer']>().toEqualTypeOf<Summarizer>();
    expectTypeOf<ExecutorPipelineOptions['executor']>().toEqualTypeOf<ItemExecutor>();
    expectTypeOf<BatchProcessorOptions['concurrency']>().toEqualTypeOf<{ readonly transcripts?: number; readonly summaries?: number } | undefined>();
  });

  it('rejects an option that does not exist', () => {
    const transcripts = null as unknown as TranscriptSource;
    const summarizer = null as unknown as Summarizer;
    // @ts-expect-error: not an option (a typo of `concurrency`)
    new BatchProcessor({ transcripts, summarizer, concurency: { summaries: 2 } });
  });
});

describe('submit', () => {
  it('needs the user and the URLs; the job options are optional', () => {
    expectTypeOf<{ userId: string; urls: string[] }>().toExtend<SubmitInput>();
    expectTypeOf<{ urls: string[] }>().not.toExtend<SubmitInput>();
    expectTypeOf<SubmitInput['options']>().toEqualTypeOf<JobOptions | undefined>();
    expectTypeOf<Requester>().toExtend<{ userId: string }>();
  });

  it('offers the three summary lengths', () => {
    expectTypeOf<SummaryLength>().toEqualTypeOf<'short' | 'standard' | 'detailed'>();
    expectTypeOf<JobOptions['length']>().toEqualTypeOf<SummaryLength | undefined>();
  });
});

describe('adapter options', () => {
  it('need nothing but what has no default', () => {
    expectTypeOf<Record<never, never>>().toExtend<YouTubeTranscriptSourceOptions>();
    expectTypeOf(YouTubeTranscriptSource).constructorParameters.toEqualTypeOf<[options?: YouTubeTranscriptSourceOptions]>();
    expectTypeOf<Record<never, never>>().toExtend<AnthropicSummarizerOptions>();
    expectTypeOf(AnthropicSummarizer).constructorParameters.toEqualTypeOf<[options?: AnthropicSummarizerOptions]>();
    expectTypeOf(OpenAICompatibleSummarizer).constructorParameters.toEqualTypeOf<[options: OpenAICompatibleSummarizerOptions]>();
    expectTypeOf(openStore).returns.resolves.toEqualTypeOf<BatchStore>();
  });
});
