import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseConfig,
  // @tubesum/proxy is private (never published): its code goes into dist, so dist never imports it.
  noExternal: ['@tubesum/proxy'],
  entry: { main: 'src/main.ts' },
  dts: false,
});
