#!/usr/bin/env node
/* global process, console, URL */
// Puts a `tubesum` command on PATH from a clone, until the packages are on the npm registry.
// Run through `pnpm link-cli` (which builds first). Nothing is installed anywhere else:
// `<dir>/tubesum` is a symbolic link to packages/cli/dist/main.js (a `.cmd` file on Windows).
//
//   node packages/cli/scripts/link-cli.mjs [--dir <folder on PATH>] [--remove]
//
// The folder is --dir, else TUBESUM_LINK_DIR, else ~/.local/bin.
import { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const args = process.argv.slice(2);
const dirIndex = args.indexOf('--dir');
const dir = resolve(dirIndex >= 0 && args[dirIndex + 1] ? args[dirIndex + 1] : process.env.TUBESUM_LINK_DIR || join(homedir(), '.local', 'bin'));
const windows = process.platform === 'win32';
const link = join(dir, windows ? 'tubesum.cmd' : 'tubesum');

function fail(message) {
  console.error(`link-cli: ${message}`);
  process.exit(1);
}

/** Whether `link` is one this script made (so it may be replaced or removed). */
function ours() {
  if (windows) return true;
  const info = lstatSync(link, { throwIfNoEntry: false });
  return info === undefined || (info.isSymbolicLink() && readlinkSync(link).endsWith(join('cli', 'dist', 'main.js')));
}

if (args.includes('--remove')) {
  if (!existsSync(link) && lstatSync(link, { throwIfNoEntry: false }) === undefined) {
    console.log(`Nothing to remove: ${link} does not exist.`);
  } else if (!ours()) {
    fail(`${link} is not a link made by this script; left as it is.`);
  } else {
    rmSync(link, { force: true });
    console.log(`Removed ${link}.`);
  }
  process.exit(0);
}

if (!existsSync(main)) fail(`${main} is missing: build first (\`pnpm link-cli\` does).`);
if (!ours()) fail(`${link} exists and is not a link to this clone's CLI; remove it or pass --dir <another folder>.`);
mkdirSync(dir, { recursive: true });
rmSync(link, { force: true });
if (windows) writeFileSync(link, `@node "${main}" %*\r\n`);
else {
  chmodSync(main, 0o755);
  symlinkSync(main, link);
}
console.log(`Linked ${link} -> ${main}`);
const onPath = (process.env.PATH ?? '').split(delimiter).some((entry) => entry !== '' && resolve(entry) === dir);
if (onPath) console.log('Try it: tubesum --help');
else {
  console.log(`${dir} is not on your PATH. Add it (e.g. in ~/.profile), then open a new terminal:`);
  console.log(`  export PATH="${dir}:$PATH"`);
}
