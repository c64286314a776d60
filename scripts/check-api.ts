// `pnpm check:api` (part of `pnpm test`, after the build): API Extractor reads each published entry
// point's declarations (dist/*.d.ts) and compares the public API with the report checked in under
// packages/<name>/etc/. Any change (an export added, removed or retyped, an option renamed) fails
// the check until the report is updated with `pnpm check:api --local`, which rewrites the reports
// so the change shows in the diff of the pull request and gets reviewed (see CONTRIBUTING.md).
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import type { IConfigFile } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const local = process.argv.includes('--local');

/** Every entry point of a published package's `exports` (the CLI has none: it ships a bin only). */
const ENTRY_POINTS = [
  { packageDir: 'packages/core', entry: 'dist/index.d.ts', report: 'core.api.md' },
  { packageDir: 'packages/core', entry: 'dist/testing/index.d.ts', report: 'core-testing.api.md' },
  { packageDir: 'packages/core', entry: 'dist/testing/conformance.d.ts', report: 'core-testing-conformance.api.md' },
  { packageDir: 'packages/core', entry: 'dist/executor.d.ts', report: 'core-executor.api.md' },
  { packageDir: 'packages/bot', entry: 'dist/index.d.ts', report: 'bot.api.md' },
  { packageDir: 'packages/bullmq', entry: 'dist/index.d.ts', report: 'bullmq.api.md' },
] as const;

function configFor({ packageDir, entry, report }: (typeof ENTRY_POINTS)[number]): ExtractorConfig {
  const projectFolder = join(root, packageDir);
  const configObject: IConfigFile = {
    projectFolder,
    mainEntryPointFilePath: join(projectFolder, entry),
    compiler: {
      // The declarations are already built; API Extractor only needs the compiler settings.
      overrideTsconfig: {
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023'],
          types: ['node'],
          skipLibCheck: true,
        },
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: report,
      reportFolder: join(projectFolder, 'etc'),
      reportTempFolder: join(root, 'node_modules/.cache/api-extractor', report),
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The report is about the shape of the API. Release tags (@public, @beta) are not used here,
      // and the doc comments follow STYLE.md rather than TSDoc's dialect.
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        'ae-undocumented': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
    },
  };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: join(projectFolder, 'package.json') });
}

const changed: string[] = [];
let failed = false;
for (const entryPoint of ENTRY_POINTS) {
  const config = configFor(entryPoint);
  if (local) mkdirSync(dirname(config.reportFilePath), { recursive: true });
  const result = Extractor.invoke(config, {
    localBuild: local,
    messageCallback: (message) => {
      // "You have changed the public API signature": said once, below, with what to do.
      if (message.messageId === 'console-api-report-changed' || message.messageId === 'console-api-report-not-copied') message.handled = true;
    },
  });
  const where = relative(root, config.reportFilePath);
  if (result.apiReportChanged) changed.push(where);
  if (!result.succeeded && !result.apiReportChanged) failed = true;
  console.log(`${result.apiReportChanged ? (local ? 'updated' : 'CHANGED') : 'unchanged'}  ${where}  (${entryPoint.packageDir}/${entryPoint.entry})`);
}
if (failed) {
  console.error('API Extractor reported errors (above); `pnpm build` first if dist/ is missing or stale.');
  process.exit(1);
}
if (changed.length > 0 && !local) {
  console.error(
    `The public API differs from its report in ${changed.join(', ')}.\n` +
      'If the change is intended, run `pnpm check:api --local`, review and commit the report, and add a changeset\n' +
      '(a removed or changed export is a breaking change). Otherwise undo the change that caused it.',
  );
  process.exit(1);
}
