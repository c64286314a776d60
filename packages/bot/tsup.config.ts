import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseConfig,
  // @tubesum/proxy is private (never published): its code goes into dist, so dist never imports it.
  noExternal: ['@tubesum/proxy'],
  // …and its types into the declarations (BotConfig.proxy is a ProxySetting); its source lies outside src/.
  dts: { resolve: ['@tubesum/proxy'], compilerOptions: { rootDir: '..' } },
  entry: { index: 'src/index.ts', main: 'src/main.ts', 'deploy-commands': 'src/deploy-commands.ts' },
});
