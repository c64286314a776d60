// Where the command line writes: the one part of the context that the renderers need.

/** A writable terminal stream. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Where the command line writes. */
export interface Output {
  stdout: OutputStream;
  stderr: OutputStream;
}
