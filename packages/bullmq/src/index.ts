// The public API of @tubesum/bullmq: run tubesum batches on workers across machines, with BullMQ on Redis.

export { createQueueExecutor } from './queue-executor.js';
export type { QueueExecutor, QueueExecutorOptions } from './queue-executor.js';
export { startWorker } from './worker.js';
export type { QueueWorker } from './worker.js';
export type { WorkerOptions } from './worker-options.js';
export type { RedisConnection } from './connection.js';
