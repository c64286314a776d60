// For packages that run items elsewhere (`@tubesum/bullmq`): `import { … } from '@tubesum/core/executor'`.
// The building blocks of an ItemExecutor and of its workers, so that they run exactly the steps the
// in-process pipeline runs.

export { ItemStages } from './processor/item-stages.js';
export type { ItemStagesOptions, StageClaim } from './processor/item-stages.js';
export type { ItemExecutor, ItemHooks, ItemProgress, ItemResult, ItemStage, ItemTask } from './processor/item-executor.js';
export { toTubesumError } from './processor/retry.js';
export { validateOptions } from './internal/validate-options.js';
// The shared schemas of option values, so that an executor's options read and fail like the processor's.
export {
  integerAtLeast,
  integerFrom,
  milliseconds,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  retryOptionsSchema,
  wholeMilliseconds,
} from './internal/option-schemas.js';
export { sleep, untilAborted } from './internal/abort.js';
export { FairLimiter } from './internal/fair-limiter.js';
