import type { Options } from 'tsup';

/** The one build configuration every package spreads into its own tsup.config.ts. */
export const baseConfig = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  outDir: 'dist',
} satisfies Options;
