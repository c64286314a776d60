// `@tubesum/core/testing` loads no test runner: a child process imports each entry with a module
// hook that refuses to resolve `vitest`, so the fakes work under any runner (or none), and only
// `@tubesum/core/testing/conformance` needs vitest.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const entry = (path: string) => pathToFileURL(join(root, 'packages/core/src/testing', path)).href;

const HOOKS = `
export async function resolve(specifier, context, next) {
  if (specifier === 'vitest' || specifier.startsWith('vitest/')) {
    throw new Error('VITEST_LOADED from ' + context.parentURL);
  }
  return next(specifier, context);
}
`;

let dir: string;
let register: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tubesum-entry-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
  register = join(dir, 'register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Imports `url` in a fresh node process (TypeScript through tsx) where resolving vitest throws. */
function importWithoutVitest(url: string): Promise<{ ok: boolean; output: string }> {
  const script = `const m = await import(${JSON.stringify(url)}); console.log('EXPORTS ' + Object.keys(m).sort().join(','));`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', register, '--input-type=module', '-e', script],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}` }),
    );
  });
}

describe('@tubesum/core/testing entry points', () => {
  it('the fakes load without vitest', async () => {
    const result = await importWithoutVitest(entry('index.ts'));
    expect(result.output).toContain('EXPORTS FakeSummarizer,FakeTranscriptSource');
    expect(result.ok).toBe(true);
  });

  it('the conformance suite is the entry that needs vitest', async () => {
    const result = await importWithoutVitest(entry('conformance.ts'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('VITEST_LOADED from');
  });
});
