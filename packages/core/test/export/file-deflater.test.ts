import { constants as zlibConstants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  InThreadDeflater,
  WORKER_FROM_FILES,
  WORKER_MAX_FILE_CHARS,
  WorkerDeflater,
  createFileDeflater,
  windowBitsFor,
} from '../../src/export/file-deflater.js';
import type { DeflatedFile } from '../../src/export/file-deflater.js';

const utf8 = new TextEncoder();

const TEXTS = [
  '',
  'plain ASCII summary\n',
  '---\ntitle: "Ünïcödé — 日本語 🎉"\n---\n# A heading\n\n- a point [00:42](https://youtu.be/x?t=42)\n',
  'A long transcript line. '.repeat(10_000),
  '\ud83d', // a lone surrogate: encoded as U+FFFD, like TextEncoder does in the thread
];

function expectFaithful(files: DeflatedFile[], texts: readonly string[]): void {
  expect(files).toHaveLength(texts.length);
  files.forEach((file, index) => {
    const bytes = utf8.encode(texts[index]!);
    expect(file.size).toBe(bytes.byteLength);
    expect(file.crc).toBe(crc32(bytes));
    expect(new Uint8Array(inflateRawSync(file.data))).toEqual(bytes);
  });
}

/**
 * A text of `size` bytes (ASCII) that starts and ends with the same 24 characters, random letters
 * between: zlib finds a match as far back as the text allows, the case a window too small would miss.
 */
function farMatchText(size: number, seed: number): string {
  let state = seed;
  const letter = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return String.fromCharCode(97 + (state % 26));
  };
  const edge = 'the same words both ends';
  if (size < 2 * edge.length) return edge.slice(0, size);
  return edge + Array.from({ length: size - 2 * edge.length }, letter).join('') + edge;
}

describe('file deflaters', () => {
  it("deflate each file with the smallest window that holds it: zlib's default window gives the same bytes", async () => {
    expect([0, 250, 251, 3000, 3834, 3835, 32_506, 32_507, 1_000_000].map(windowBitsFor)).toEqual([9, 9, 10, 12, 12, 13, 15, 15, 15]);
    const sizes = [0, 1, 100];
    for (let bits = 9; bits <= 15; bits += 1) for (const delta of [-263, -262, -261, -100, -30, -1, 0, 1]) sizes.push((1 << bits) + delta);
    sizes.push(40_000, 70_000);
    const texts = sizes.map((size, at) => farMatchText(size, at + 1));
    const zlibDefault = texts.map((text) => Buffer.from(deflateRawSync(utf8.encode(text), { level: 6 })).toString('hex'));
    const worker = new WorkerDeflater(6);
    try {
      for (const deflater of [new InThreadDeflater(6), worker]) {
        const files = await deflater.deflate(texts);
        expect(files.map((file) => Buffer.from(file.data).toString('hex'))).toEqual(zlibDefault);
        // Pieces too (a sync flush, or the final block).
        for (const final of [false, true]) {
          const pieces = await Promise.all(texts.map((text) => deflater.deflatePiece(text, final)));
          const flush = final ? zlibConstants.Z_FINISH : zlibConstants.Z_SYNC_FLUSH;
          expect(pieces.map((piece) => Buffer.from(piece.data).toString('hex'))).toEqual(
            texts.map((text) => Buffer.from(deflateRawSync(utf8.encode(text), { level: 6, finishFlush: flush })).toString('hex')),
          );
          expect(pieces.map(({ size, crc }) => ({ size, crc }))).toEqual(
            texts.map((text) => ({ size: utf8.encode(text).byteLength, crc: crc32(utf8.encode(text)) })),
          );
        }
      }
      expect(worker.inWorker).toBe(true);
    } finally {
      worker.close();
    }
  });

  it('the worker writes the same bytes, sizes and CRC-32s as the thread, batch after batch, in order', async () => {
    const worker = new WorkerDeflater(6);
    const thread = new InThreadDeflater(6);
    try {
      expect(worker.inWorker).toBe(true);
      const batches = [TEXTS, TEXTS.toReversed(), Array.from({ length: 300 }, (_, index) => `file ${index}\n`.repeat(index))];
      // Sent at once: the answers come back in the order the batches were sent.
      const fromWorker = await Promise.all(batches.map((texts) => worker.deflate(texts)));
      for (const [at, texts] of batches.entries()) {
        expectFaithful(fromWorker[at]!, texts);
        const fromThread = await thread.deflate(texts);
        expect(fromWorker[at]!.map((file) => Buffer.from(file.data).toString('hex'))).toEqual(fromThread.map((file) => Buffer.from(file.data).toString('hex')));
      }
      expect(worker.inWorker).toBe(true);
    } finally {
      worker.close();
    }
  });

  it('a worker that dies hands its batches to the thread: they and every later one come out right', async () => {
    // The real class with a worker program that exits on its first batch, as a crashed worker would.
    const worker = new WorkerDeflater(6, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));");
    try {
      expect(worker.inWorker).toBe(true);
      const held = await Promise.all([worker.deflate(TEXTS), worker.deflate(['second batch'])]);
      expectFaithful(held[0]!, TEXTS);
      expectFaithful(held[1]!, ['second batch']);
      expect(worker.inWorker).toBe(false);
      expectFaithful(await worker.deflate(['after']), ['after']);
    } finally {
      worker.close();
    }
  });

  it('a file of several MB is deflated in the thread, and the worker goes on', async () => {
    const worker = new WorkerDeflater(6);
    try {
      const huge = 'x'.repeat(WORKER_MAX_FILE_CHARS + 1);
      const [deflated] = await worker.deflate(['small', huge]);
      expect(deflated!.size).toBe(5);
      expect(worker.inWorker).toBe(true);
      expectFaithful(await worker.deflate(TEXTS), TEXTS);
    } finally {
      worker.close();
    }
  });

  it('close() rejects the batches still in the worker, and refuses new ones', async () => {
    const worker = new WorkerDeflater(6);
    const pending = worker.deflate(Array.from({ length: 50 }, () => 'some text to deflate '.repeat(2_000)));
    worker.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(worker.deflate(['after'])).rejects.toThrow(/closed/);
    expect(worker.inWorker).toBe(false);
    worker.close(); // twice is fine
  });

  it('deflates in a worker only for exports of many files', () => {
    const small = createFileDeflater(WORKER_FROM_FILES - 1, 6);
    const large = createFileDeflater(WORKER_FROM_FILES, 6);
    try {
      expect(small).toBeInstanceOf(InThreadDeflater);
      expect(small.batchFiles).toBe(1);
      expect(large).toBeInstanceOf(WorkerDeflater);
      expect(large.batchFiles).toBeGreaterThan(1);
    } finally {
      small.close();
      large.close();
    }
  });
});
