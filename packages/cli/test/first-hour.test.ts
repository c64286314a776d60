import { existsSync, writeFileSync } from 'node:fs';
import { tempDir } from '@tubesum/test-support/temp-dir';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVOCATION, runCli, runCliInTerminal, tempHome } from './run-cli.js';

/** Control bytes other than newline: none of them may reach a terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('what a newcomer meets in the first hour', () => {
  const { home, store } = tempHome();

  it('`tubesum` alone prints the help and exits 2, without commander\'s "(outputHelp)"', async () => {
    const result = await runCli([], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: tubesum \[options\] \[command\]/);
    expect(result.stderr).not.toContain('outputHelp');
  });

  it('says a folder is a directory (exit 2)', async () => {
    const result = await runCli(['run', 'examples/transcripts', '--offline'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tubesum: examples/transcripts is a directory: give a file with one YouTube URL per line (a folder of transcripts goes to `--transcripts`).\n',
    );
  });

  it('says a binary file is not a text file (exit 2), and prints none of its bytes', async () => {
    const file = join(tempDir('tubesum-binary-'), 'photo.png');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x1b, 0x5b, 0x32, 0x4a]));
    const result = await runCli(['run', file, '--offline'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`tubesum: ${file} is not a text file: give a file with one YouTube URL per line.\n`);
  });

  it('keeps control bytes of a list away from the terminal', async () => {
    const file = join(tempDir('tubesum-escapes-'), 'urls.txt');
    writeFileSync(file, 'https://youtu.be/Xk3pL9vQm2A\nhttps://vimeo.com/\u001b[2J\u001b]0;pwned\u0007title\n');
    const result = await runCli(['run', file, '--offline', '--transcripts', 'examples/transcripts', '--out', join(home, 'escapes.zip')], { home, store });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Skipped https://vimeo.com/');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(CONTROL);
  });

  it('flags a bare 11-character word read as a video id, and shows the id once in `status`', async () => {
    const result = await runCli(['run', 'fooBarBazQu', '--offline', '--transcripts', 'examples/transcripts', '--no-youtube', '--out', join(home, 'bare.zip')], {
      home,
      store,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Read as a video id (not URLs): fooBarBazQu\n');
    const jobId = /Started batch (\S+):/.exec(result.stdout)?.[1] ?? '';
    const status = await runCli(['status', jobId], { home, store });
    expect(status.stdout).toMatch(/^\s+1\. failed\s+fooBarBazQu {2}TRANSCRIPTS_DISABLED: /m);
    expect(status.stdout).not.toMatch(/fooBarBazQu\s+fooBarBazQu/);
    expect(result.stderr).toContain(`See them with: ${INVOCATION} status ${jobId}`);
  });

  it('a read-only command creates no store folder, and its hint is the command as typed', async () => {
    const fresh = tempHome().home;
    const result = await runCli(['list'], { home: fresh });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`No batches yet. Start one with: ${INVOCATION} run <file or URLs...>\n`);
    expect(existsSync(join(fresh, '.tubesum'))).toBe(false);
    const status = await runCli(['status', 'abcdef'], { home: fresh });
    expect(status.stderr).toBe(`tubesum: No batch "abcdef" in this store (see \`${INVOCATION} list\`).\n`);
    expect(existsSync(join(fresh, '.tubesum'))).toBe(false);
  });

  it('says "Writing ZIP" for a big batch', async () => {
    const folder = tempDir('tubesum-many-');
    const ids = Array.from({ length: 50 }, (_, index) => `video${String(index).padStart(6, '0')}`);
    for (const id of ids) writeFileSync(join(folder, `${id}.txt`), `Transcript of ${id}. It says a few things about ${id}.`);
    const result = await runCli(['run', ...ids, '--offline', '--transcripts', folder, '--no-youtube', '--out', join(home, 'many.zip')], { home, store });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Writing ZIP of 50 videos…');
  });

  it('draws a progress bar in a terminal, which ends with the time taken, not "ETA 0ms"', async () => {
    const out = join(home, 'terminal.zip');
    const result = await runCliInTerminal(['run', 'examples/urls.txt', '--offline', '--transcripts', 'examples/transcripts', '--out', out], { home, store });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/█{24} 100% 5\/5 ✓ 5 done \| took \S+/);
    expect(result.output).not.toContain('ETA 0ms');
    expect(result.output).not.toMatch(/\[\d\/5\] done/); // the per-video lines are for pipes and logs
    expect(result.output).toContain(`Done: 5 done. ZIP written to ${out}`);
  });
});
