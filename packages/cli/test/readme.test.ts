import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tempDir } from '@tubesum/test-support/temp-dir';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The shell lines of the code block that follows `<!-- readme-check`, comments dropped. */
function quickStart(): string[] {
  const block = /<!-- readme-check[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(README)?.[1];
  if (block === undefined) throw new Error('README.md has no `<!-- readme-check -->` block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

describe('the README quick start, run as written (offline)', () => {
  it('links `tubesum` from the clone and runs every command of the block with exit 0', () => {
    const main = join(ROOT, 'packages/cli/dist/main.js');
    expect(existsSync(main), 'packages/cli/dist/main.js is missing: `pnpm build` first (`pnpm test` does)').toBe(true);
    const home = tempDir('tubesum-readme-');
    // A folder of the person's own, with the clone's examples/ in it, so the relative paths hold.
    const work = join(home, 'work');
    mkdirSync(work);
    symlinkSync(join(ROOT, 'examples'), join(work, 'examples'));
    const env: NodeJS.ProcessEnv = { PATH: `${join(home, '.local', 'bin')}:${process.env.PATH ?? ''}`, HOME: home };
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

    let jobId: string | undefined;
    const ran: string[] = [];
    for (const line of quickStart()) {
      // Network: a clone and an install are what the test itself runs in.
      if (line.startsWith('git clone') || line === 'pnpm install') continue;
      let command = line;
      if (line === 'pnpm link-cli') {
        // `pnpm test` has built everything already: run the script's linking half, as documented.
        const [build, link] = scripts['link-cli']!.split(' && ');
        expect(build).toBe("pnpm --filter 'tubesum...' run build");
        command = link!;
      } else {
        expect(line.startsWith('tubesum ')).toBe(true);
        if (command.includes('<id>')) command = command.replace('<id>', jobId ?? '<no id yet>');
      }
      const result = spawnSync('sh', ['-c', command], { cwd: line === 'pnpm link-cli' ? ROOT : work, env, encoding: 'utf8' });
      expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
      jobId ??= /Started batch (\S+):/.exec(result.stdout)?.[1];
      ran.push(line);
    }
    expect(ran).toContain('pnpm link-cli');
    expect(ran.filter((line) => line.startsWith('tubesum '))).toHaveLength(4);
    expect(existsSync(join(work, 'demo.zip'))).toBe(true);
    expect(existsSync(join(work, 'again.zip'))).toBe(true);
  });

  it('`tubesum run --help` shows every default the README table lists', () => {
    const table = /\| option of `run` \| default \| \|\n\|---\|---\|---\|\n((?:\|.*\|\n)+)/.exec(README)?.[1] ?? '';
    const defaults = table
      .split('\n')
      .filter((row) => row !== '')
      .flatMap((row) => [...(row.split('|')[2] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
    expect(defaults).toEqual(expect.arrayContaining(['standard', 'en', 'claude-haiku-4-5', '4096', '4', '~/.tubesum/store.sqlite']));
    const help = spawnSync(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'run', '--help'], { encoding: 'utf8' }).stdout;
    for (const value of defaults) expect(help, `run --help should show the default ${value}`).toContain(value);
  });
});
