import { spawn } from 'node:child_process';
import { bundleScript } from '@tubesum/test-support';

const worker = new URL('./durable-worker.ts', import.meta.url);

export interface Line {
  type: string;
  [key: string]: unknown;
}

/**
 * Runs the worker (durable-worker.ts unless `options.worker` names another); `until` decides, line
 * by line, when to SIGKILL it, and so does `options.killWhen` once it resolves.
 */
export async function runWorker(
  args: string[],
  until?: (lines: Line[]) => boolean,
  options: { worker?: URL; killWhen?: Promise<unknown> } = {},
): Promise<{ lines: Line[]; signal: NodeJS.Signals | null; code: number | null; pid: string }> {
  // The worker and the sources it imports, bundled into one script (see bundleScript).
  const path = await bundleScript(options.worker ?? worker);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    void options.killWhen?.then(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const lines: Line[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        lines.push(JSON.parse(buffered.slice(0, newline)) as Line);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (until?.(lines) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`worker exited ${code}: ${stderr}`));
      else resolve({ lines, signal, code, pid: String(child.pid) });
    });
  });
}
