// The TypeScript scripts that tests start as child processes (the CLI, the bot, the replica and
// worker processes…), bundled once per test process by esbuild into one JavaScript file that a
// plain `node` runs. Starting them through tsx (`node --import tsx script.ts`) costs each child
// about 2.4 s of CPU more (3.4 s against 1.0 s to load the CLI on the CI machine): tsx's module
// hooks see every module the child loads, hundreds in node_modules. The suite starts about 170
// children, so that was close to half of the CPU time of `vitest run`.
//
// What runs is still the workspace's TypeScript sources, as under tsx and vitest: the root
// tsconfig.json maps `@tubesum/*` to `packages/*/src`, and those sources are inlined. A package of
// node_modules stays an import, of the very file Node would load from the importing source's
// folder (resolved when bundling), so each package finds its own dependencies as it did before.
// `import.meta.url`, `dirname`, `filename` and `import.meta.resolve('…')` keep the values of the
// source file they are written in.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Plugin, PluginBuild } from 'esbuild';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the bundles go, named by a hash of their code: a test process reuses another's bundle. */
const CACHE = join(ROOT, 'node_modules/.cache/tubesum-test-scripts');
/** A bundle nobody used for this long is deleted when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000;

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles the TypeScript script at `entry` (a path or `file:` URL) and returns the path of the
 * JavaScript file to start instead: `spawn(process.execPath, [await bundleScript(entry), …])`.
 * Bundled once per process and entry; the file stays valid for the rest of the run.
 */
export function bundleScript(entry: string | URL): Promise<string> {
  const path = typeof entry === 'string' && !entry.startsWith('file:') ? entry : fileURLToPath(entry);
  let bundle = bundles.get(path);
  if (bundle === undefined) {
    bundle = bundleOnce(path);
    bundles.set(path, bundle);
  }
  return bundle;
}

async function bundleOnce(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outfile: join(CACHE, 'bundle.mjs'),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The root tsconfig, whose paths map `@tubesum/*` to the sources (as TSX_TSCONFIG_PATH did).
    tsconfig: join(ROOT, 'tsconfig.json'),
    plugins: [packagesInPlace],
    metafile: true,
    logLevel: 'silent',
  });
  const built = Object.keys(result.metafile.inputs).filter((input) => /(^|\/)packages\/[^/]+\/dist\//.test(input));
  if (built.length > 0) throw new Error(`bundleScript(${entry}) took built files instead of the sources: ${built.join(', ')}`);
  const code = result.outputFiles[0]?.text ?? '';
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = join(CACHE, `${basename(entry, extname(entry))}-${hash}.mjs`);
  if (existsSync(file)) {
    const now = new Date();
    utimesSync(file, now, now);
    return file;
  }
  mkdirSync(CACHE, { recursive: true });
  pruneOldBundles();
  // Another test process may write the same bundle at the same moment: each renames its own copy.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file);
  return file;
}

function pruneOldBundles(): void {
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { force: true });
    } catch {
      // Removed by another test process meanwhile.
    }
  }
}

/** Marks a resolution asked by the plugin itself, which it leaves to esbuild. */
const OWN = Symbol('bundle-script');

/** The file esbuild resolves `specifier` to from `importer`, or undefined when nothing is found. */
async function resolveFrom(build: PluginBuild, specifier: string, importer: string, kind: 'import-statement' | 'dynamic-import'): Promise<string | undefined> {
  const resolved = await build.resolve(specifier, { kind, importer, resolveDir: dirname(importer), pluginData: OWN });
  return resolved.errors.length > 0 || resolved.path === '' ? undefined : resolved.path;
}

const packagesInPlace: Plugin = {
  name: 'packages-in-place',
  setup(build) {
    // A bare specifier: a workspace source (through tsconfig's paths or a workspace link) is
    // bundled; a file of node_modules stays an import, of its absolute URL.
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === OWN) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const kind = args.kind === 'dynamic-import' ? 'dynamic-import' : 'import-statement';
      const path = await resolveFrom(build, args.path, args.importer, kind);
      // Not installed (an optional package): left as it is, so Node fails on it as it would have.
      if (path === undefined) return { path: args.path, external: true };
      if (path.split(sep).includes('node_modules')) return { path: pathToFileURL(path).href, external: true };
      return { path };
    });
    // The workspace's own files: `import.meta` keeps the values of the file it is written in.
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      const url = pathToFileURL(args.path).href;
      let contents = await readFile(args.path, 'utf8');
      for (const [, quote, specifier] of contents.matchAll(/import\.meta\.resolve\((['"])([^'"]+)\1\)/g)) {
        const resolved = await resolveFrom(build, specifier as string, args.path, 'import-statement');
        if (resolved === undefined) throw new Error(`${relative(ROOT, args.path)}: cannot resolve ${specifier} for import.meta.resolve`);
        contents = contents.replaceAll(`import.meta.resolve(${quote}${specifier}${quote})`, JSON.stringify(pathToFileURL(resolved).href));
      }
      if (/import\.meta\.resolve\(/.test(contents)) throw new Error(`${relative(ROOT, args.path)}: import.meta.resolve() of a string literal only`);
      contents = contents
        .replaceAll('import.meta.url', JSON.stringify(url))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: /\.[cm]?tsx?$/.test(args.path) ? 'ts' : 'js', resolveDir: dirname(args.path) };
    });
  },
};
