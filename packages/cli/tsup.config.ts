import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseConfig,
  entry: { main: 'src/main.ts' },
  dts: false,
});
