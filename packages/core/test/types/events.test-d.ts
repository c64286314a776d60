// The typed event map is the headline typing promise of BatchProcessor (STYLE 1): these tests fail
// to compile when an event is renamed, added or removed, or when a payload loses a field.
import { describe, expectTypeOf, it } from 'vitest';
import type { BatchProcessor } from '@tubesum/core';
import type {
  BatchEndEvent,
  BatchEvents,
  BatchPauseEvent,
  BatchStartEvent,
  ItemEndEvent,
  ItemRecord,
  ItemRetryEvent,
  ItemStageEvent,
  ItemStartEvent,
  ItemStatus,
  JobSnapshot,
  JobStatus,
  Progress,
  SerializedError,
} from '@tubesum/core';

type Payload<Name extends keyof BatchEvents> = Parameters<BatchEvents[Name]>[0];

describe('BatchEvents', () => {
  it('has exactly the eight events, noun then verb', () => {
    expectTypeOf<keyof BatchEvents>().toEqualTypeOf<
      'batchStart' | 'batchProgress' | 'batchPause' | 'batchEnd' | 'itemStart' | 'itemStage' | 'itemRetry' | 'itemEnd'
    >();
  });

  it('hands every listener one event object with the job, the user and the progress', () => {
    expectTypeOf<Payload<keyof BatchEvents>>().toExtend<{ jobId: string; userId: string; progress: Progress }>();
    expectTypeOf<BatchEvents['batchProgress']>().parameters.toEqualTypeOf<[{ jobId: string; userId: string; progress: Progress }]>();
    expectTypeOf<BatchEvents[keyof BatchEvents]>().returns.toBeVoid();
  });

  it('gives each event its own payload', () => {
    expectTypeOf<Payload<'batchStart'>>().toEqualTypeOf<BatchStartEvent>();
    expectTypeOf<BatchStartEvent>().toExtend<{ job: JobSnapshot; resumed: boolean }>();
    expectTypeOf<Payload<'batchPause'>>().toEqualTypeOf<BatchPauseEvent>();
    expectTypeOf<BatchPauseEvent['reason']>().toEqualTypeOf<SerializedError>();
    expectTypeOf<Payload<'batchEnd'>>().toEqualTypeOf<BatchEndEvent>();
    expectTypeOf<BatchEndEvent['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<Payload<'itemStart'>>().toEqualTypeOf<ItemStartEvent>();
    expectTypeOf<ItemStartEvent['item']>().toEqualTypeOf<ItemRecord>();
    expectTypeOf<Payload<'itemStage'>>().toEqualTypeOf<ItemStageEvent>();
    expectTypeOf<ItemStageEvent['stage']>().toEqualTypeOf<'transcript' | 'summary'>();
    expectTypeOf<Payload<'itemRetry'>>().toEqualTypeOf<ItemRetryEvent>();
    expectTypeOf<ItemRetryEvent>().toExtend<{ attempt: number; delayMs: number; error: SerializedError; stage: 'transcript' | 'summary' }>();
    expectTypeOf<Payload<'itemEnd'>>().toEqualTypeOf<ItemEndEvent>();
  });

  it('ends an item only as done, failed or cancelled', () => {
    expectTypeOf<ItemEndEvent['status']>().toEqualTypeOf<'done' | 'failed' | 'cancelled'>();
    expectTypeOf<ItemEndEvent['status']>().toExtend<ItemStatus>();
    expectTypeOf<ItemEndEvent['error']>().toEqualTypeOf<SerializedError | undefined>();
  });

  it('names a job with the words of an item: `done` is a success, `failed` a job where a video failed', () => {
    expectTypeOf<JobStatus>().toEqualTypeOf<'running' | 'paused' | 'done' | 'failed' | 'cancelled'>();
    expectTypeOf<'failed'>().toExtend<JobStatus>();
    expectTypeOf<BatchEndEvent['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<Extract<JobStatus, ItemStatus>>().toEqualTypeOf<'running' | 'done' | 'failed' | 'cancelled'>();
  });

  it('counts the items that reached a final state as `ended` (`finished` is its deprecated alias)', () => {
    expectTypeOf<Progress['ended']>().toEqualTypeOf<number>();
    expectTypeOf<Progress['finished']>().toEqualTypeOf<Progress['ended']>();
  });
});

describe('BatchProcessor.on', () => {
  const processor = null as unknown as BatchProcessor;

  it('types each listener from the event name', () => {
    expectTypeOf(processor.on<'itemEnd'>)
      .parameter(1)
      .toEqualTypeOf<BatchEvents['itemEnd']>();
    processor.on('itemRetry', (event) => {
      expectTypeOf(event).toEqualTypeOf<ItemRetryEvent>();
    });
    processor.on('batchEnd', ({ status, job }) => {
      expectTypeOf(status).toEqualTypeOf<JobStatus>();
      expectTypeOf(job).toEqualTypeOf<JobSnapshot>();
    });
  });

  it('rejects an unknown event name and a listener of the wrong event', () => {
    // @ts-expect-error: not an event of BatchEvents (STYLE 2: never `done`, `finish`, `complete`)
    processor.on('batchDone', () => {});
    // @ts-expect-error: a batchEnd payload has no `item`
    processor.on('batchEnd', (event: ItemEndEvent) => event.item);
  });

  it('has the promise twin of batchEnd', () => {
    expectTypeOf(processor.waitFor).returns.resolves.toEqualTypeOf<JobSnapshot>();
  });
});
