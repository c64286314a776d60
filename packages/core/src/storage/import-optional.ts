import { ErrorCode, TubesumError } from '../errors.js';

/**
 * Imports an optional peer dependency, or throws `INVALID_OPTIONS` telling how to install it:
 * `To use a Redis store, install @keyv/redis: npm i @keyv/redis`.
 */
export async function importOptional<Module>(load: () => Promise<Module>, packageName: string, purpose: string): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && error instanceof Error && error.message.includes(packageName);
    if (!missing) throw error;
    throw new TubesumError(ErrorCode.INVALID_OPTIONS, `To use ${purpose}, install ${packageName}: npm i ${packageName}`, {
      cause: error,
      details: { package: packageName },
    });
  }
}
