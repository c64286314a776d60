import { PassThrough, Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { startFakeOpenAIServer } from '@tubesum/test-support';
import type { FakeLlmServer } from '@tubesum/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runTubesum } from '../src/cli.js';
import type { CliContext } from '../src/context.js';
import { INVOCATION, ROOT, runCli, startCli, tempHome } from './run-cli.js';

const OFFLINE = ['--transcripts', 'examples/transcripts', '--offline'];

async function openZip(path: string) {
  const zip = await JSZip.loadAsync(await readFile(path));
  const names = Object.keys(zip.files);
  const manifest = JSON.parse(await zip.file('batch.json')!.async('string')) as { job: { status: string }; items: { status: string }[] };
  return { names, manifest, index: await zip.file('index.md')!.async('string') };
}

describe('tubesum run', () => {
  const { home, store } = tempHome();
  let jobId = '';

  it('summarizes examples/urls.txt offline, writes a valid ZIP and exits 0', async () => {
    const out = join(home, 'demo.zip');
    const result = await runCli(['run', 'examples/urls.txt', ...OFFLINE, '--out', out], { home, store });
    expect(result.code, result.stderr).toBe(0);
    jobId = /Started batch (\S+):/.exec(result.stdout)?.[1] ?? '';
    expect(jobId).not.toBe('');
    expect(result.stdout).toMatch(/\[5\/5\] done/);
    expect(result.stdout).toContain(`ZIP written to ${out}`);
    expect(result.stderr).toContain('Skipped https://vimeo.com/76979871');
    expect(result.stderr).toContain('1 duplicate');
    const zip = await openZip(out);
    expect(zip.names).toEqual(expect.arrayContaining(['index.md', 'batch.json']));
    expect(zip.names.filter((name) => name.startsWith('summaries/') && name.endsWith('.md'))).toHaveLength(5);
    expect(zip.manifest.items.filter((item) => item.status === 'done')).toHaveLength(5);
  });

  it('lists the batch it ran', async () => {
    const list = await runCli(['list'], { home, store });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${jobId}\\s.*done\\s+5/5`, 'm'));
  });

  it('shows the batch by id prefix, as text and as JSON', async () => {
    const status = await runCli(['status', jobId.slice(0, 8)], { home, store });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Batch ${jobId}`);
    expect(status.stdout.match(/^\s+\d+\. done\s/gm)).toHaveLength(5);
    expect(status.stdout).toContain('rejected  https://vimeo.com/76979871');

    const statusJson = await runCli(['status', jobId, '--json'], { home, store });
    const parsed = JSON.parse(statusJson.stdout) as { job: { id: string }; items: unknown[] };
    expect(parsed.job.id).toBe(jobId);
    expect(parsed.items).toHaveLength(5);
  });

  it('exports the batch again, and says when an id is unknown', async () => {
    const out = join(home, 'again.zip');
    const exported = await runCli(['export', jobId, '--out', out], { home, store });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`ZIP written to ${out}`);
    expect((await openZip(out)).manifest.items).toHaveLength(5);

    const unknown = await runCli(['status', 'no-such-batch'], { home, store });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([`tubesum: No batch "no-such-batch" in this store (see \`${INVOCATION} list\`).`]);
  });

  it('exits 1 when some videos fail, and still writes the ZIP with the reasons', async () => {
    const out = join(home, 'partial.zip');
    const result = await runCli(['run', 'Xk3pL9vQm2A', 'https://youtu.be/NoSuchVideo', ...OFFLINE, '--no-youtube', '--out', out], {
      home,
      store,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/failed\s+NoSuchVideo\s+TRANSCRIPTS_DISABLED/);
    expect(result.stderr).toContain('1 video failed');
    const zip = await openZip(out);
    expect(zip.manifest.items.map((item) => item.status)).toEqual(['done', 'failed']);
    expect(zip.index).toContain('NoSuchVideo');
    // One failed video makes the batch `failed`; the lines say so plainly.
    expect(zip.manifest.job.status).toBe('failed');
    const id = /Started batch (\S+):/.exec(result.stdout)?.[1] ?? '';
    expect(result.stdout).toContain(`Batch ${id} finished: 1 done, 1 failed in `);
    expect(`${result.stdout}${result.stderr}`).toContain('Finished: 1 done, 1 failed. ZIP written to');
    const status = await runCli(['status', id], { home, store });
    expect(status.stdout).toContain('status failed: 1 done, 1 failed of 2');
    // Ended: resume only writes the ZIP again, and the exit code still says a video failed.
    const again = await runCli(['resume', id, ...OFFLINE, '--no-youtube', '--out', join(home, 'again.zip')], { home, store });
    expect(again.code, again.stderr).toBe(1);
    expect(`${again.stdout}${again.stderr}`).toContain(`Batch ${id} had already ended (failed: 1 done, 1 failed)`);
  });

  it('emits parseable NDJSON with --json', async () => {
    const out = join(home, 'json.zip');
    const result = await runCli(['run', 'examples/urls.txt', ...OFFLINE, '--json', '--out', out], { home, store });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; status?: string; zip?: string });
    const types = lines.map((line) => line.type);
    expect(types[0]).toBe('batchStart');
    expect(types.filter((type) => type === 'itemEnd')).toHaveLength(5);
    expect(types).toContain('batchEnd');
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'done', zip: out });
  });

  it('reads URLs from stdin, with `-` or when nothing is given', async () => {
    const input = '# my list\nhttps://youtu.be/q2ZsH8uJd5M\nhttps://www.youtube.com/watch?v=nW4cR7yBx0U\n';
    for (const args of [['run', '-'], ['run']]) {
      const out = join(home, `stdin-${args.length}.zip`);
      const result = await runCli([...args, ...OFFLINE, '--out', out], { home, store, input });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Started batch \S+: 2 videos/);
      expect(result.stderr).not.toContain('Skipped');
      expect((await openZip(out)).manifest.items).toHaveLength(2);
    }
  });
});

describe('tubesum usage errors', () => {
  const { home, store } = tempHome();

  it.each([
    [['run', '--lenght', 'short', 'examples/urls.txt'], /^tubesum: unknown option '--lenght' \(Did you mean --length\?\)/],
    [['run', 'examples/urls.txt', '--length', 'tiny'], /^tubesum: Expected `--length` to be one of `short`, `standard`, `detailed`, got `tiny`\.$/],
    [['run', 'examples/urls.txt', '--concurrency', '0'], /^tubesum: Expected `--concurrency` to be a positive integer/],
    [['run', 'examples/urls.txt', '--model', 'claude-haiku-4-5'], /^tubesum: `--model` needs ANTHROPIC_API_KEY/],
    [['run', 'examples/urls.txt', '--transcripts', 'no/such/dir'], /^tubesum: Expected `--transcripts` to be a directory/],
    [['run', 'missing-list.txt'], /^tubesum: No such file: missing-list\.txt$/],
    [['run', 'https://vimeo.com/76979871', '--offline'], /^tubesum: No valid YouTube video URL in the input\./],
    [['frobnicate'], /^tubesum: unknown command 'frobnicate'/],
  ])('%j exits 2 with one line and no stack', async (args, message) => {
    const result = await runCli(args, { home, store });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the stack with --debug', async () => {
    const result = await runCli(['run', 'https://vimeo.com/76979871', '--offline', '--debug'], { home, store });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('Ctrl-C', () => {
  const { home, store } = tempHome();
  /** Core's fake OpenAI-compatible server, taking requests and never answering: every summary hangs. */
  let server: FakeLlmServer;
  let baseURL = '';
  const received = () => server.requests.length;

  beforeAll(async () => {
    server = await startFakeOpenAIServer();
    server.setDefault(() => ({ hang: true }));
    baseURL = `${server.url}/v1`;
  });
  afterAll(() => server.close());

  const hanging = () => ['--transcripts', 'examples/transcripts', '--no-youtube', '--openai-url', baseURL, '--openai-model', 'hang'];

  it('stops the batch with exit 130 and a resume hint; `tubesum resume` then finishes it', async () => {
    const run = startCli(['run', 'examples/urls.txt', ...hanging()], { home, store });
    const [, jobId] = await run.waitForStdout(/Started batch (\S+):/);
    while (received() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(server.closedBeforeAnswer.length).toBe(received()); // the requests in flight were aborted, not left hanging
    expect(stopped.stderr).toContain('Stopping…');
    expect(stopped.stdout).toContain('Interrupted. 0 of 5 videos finished.');
    expect(stopped.stdout).toContain(`Resume with: ${INVOCATION} resume ${jobId} ${hanging().join(' ')}`);

    const status = await runCli(['status', jobId!], { home, store });
    expect(status.stdout).toContain('status running');

    const out = join(home, 'resumed.zip');
    const resumed = await runCli(['resume', jobId!, '--transcripts', 'examples/transcripts', '--no-youtube', '--offline', '--out', out], {
      home,
      store,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Resumed batch ${jobId}`);
    expect(resumed.stdout).toContain(`ZIP written to ${out}`);
    expect((await openZip(out)).manifest.items.map((item) => item.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('exits at once on a second Ctrl-C', async () => {
    // In-process, so the two interrupts arrive in a known order (two real SIGINTs sent
    // back to back may merge into one).
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let errors = '';
    stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    stdout.resume();
    let interrupt: () => void = () => {};
    class Exit extends Error {}
    const exits: number[] = [];
    const context: CliContext = {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env: { TUBESUM_STORE: store },
      cwd: ROOT,
      onInterrupt(listener) {
        interrupt = listener;
        return () => {};
      },
      exit(code) {
        exits.push(code);
        throw new Exit();
      },
    };
    const before = received();
    const running = runTubesum(['run', 'https://youtu.be/Xk3pL9vQm2A', ...hanging()], context);
    while (received() === before) await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt();
    expect(() => interrupt()).toThrow(Exit);
    expect(exits).toEqual([130]);
    expect(errors).toMatch(/Stopping…[\s\S]*Quit\. Resume later with: tubesum resume \S+ --transcripts/);
    expect(await running).toBe(130); // the first Ctrl-C's clean stop still completes
  });
});
