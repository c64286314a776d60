import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { bundleScript } from '@tubesum/test-support';
import type { ReplicaCommand } from './replica-worker.js';

/** replica-worker.ts and the sources it imports, bundled into one script (see bundleScript). */
const worker = await bundleScript(new URL('./replica-worker.ts', import.meta.url));

export interface ReplicaLine {
  type: string;
  [key: string]: unknown;
}

/** A replica process: its lines as they come, a way to wait for one, and its exit. */
export interface Replica {
  child: ChildProcess;
  lines: ReplicaLine[];
  next(predicate: (line: ReplicaLine) => boolean, timeoutMs?: number): Promise<ReplicaLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Kills every replica still running (after a failed test), so none outlives the test file. */
export function stopAllReplicas(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function startReplica(command: ReplicaCommand): Replica {
  return startProcess(worker, command);
}

/** Runs `script` (JavaScript: a TypeScript script bundled by bundleScript) with `command` as JSON in argv; it writes one JSON line per event. */
export function startProcess(script: string, command: unknown): Replica {
  const child = spawn(process.execPath, [script, JSON.stringify(command)], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const lines: ReplicaLine[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, newline)) as ReplicaLine);
      buffered = buffered.slice(newline + 1);
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const wake of [...waiters]) wake();
      resolve({ code, signal, stderr });
    });
  });
  const next = (predicate: (line: ReplicaLine) => boolean, timeoutMs = 20_000) =>
    new Promise<ReplicaLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          reject(new Error(`replica ${child.pid} exited (${child.exitCode ?? child.signalCode}) before the line came: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`replica ${child.pid}: no such line within ${timeoutMs} ms; lines: ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr.slice(-2000)}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { child, lines, next, exited };
}
