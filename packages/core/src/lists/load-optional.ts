import type * as YoutubeiModule from 'youtubei.js';
import { ErrorCode, TubesumError } from '../errors.js';

/** The youtubei.js module, as {@link loadYoutubei} returns it (a type only: nothing is loaded by naming it). */
export type Youtubei = typeof YoutubeiModule;

/**
 * Imports an optional peer dependency when it is first needed, so users who never use the
 * feature pay nothing for it. A missing package becomes an `INVALID_OPTIONS` error saying
 * what to install.
 */
export async function importOptional<Module>(load: () => Promise<Module>, name: string, range: string, purpose: string): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new TubesumError(
        ErrorCode.INVALID_OPTIONS,
        `${purpose} needs the package \`${name}\` (${range}), which is not installed: run \`npm install ${name}@${range}\`.`,
        { cause: error, details: { package: name, range } },
      );
    }
    throw error;
  }
}

/** youtubei.js, loaded on the first list expansion. */
export function loadYoutubei(): Promise<Youtubei> {
  return importOptional(() => import('youtubei.js'), 'youtubei.js', '^18.1.0', 'Expanding playlists and channels');
}
