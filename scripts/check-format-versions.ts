// `pnpm check:formats` (part of `pnpm test`): fails when a stored or exported format changed its
// version without a changeset that says so (see scripts/format-versions.ts and CONTRIBUTING.md).
// `pnpm check:formats --write` records the current versions; `pnpm release:version` runs it after
// `changeset version` has consumed the changesets.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFormatVersions, findFormats, parseChangeset, recordedVersions } from './format-versions.js';
import type { SourceFile } from './format-versions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const changesetDir = join(root, '.changeset');
const recordFile = join(changesetDir, 'format-versions.json');

function sourceFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const packageDir of readdirSync(join(root, 'packages'))) {
    const { name } = JSON.parse(readFileSync(join(root, 'packages', packageDir, 'package.json'), 'utf8')) as { name: string };
    const sources = readdirSync(join(root, 'packages', packageDir, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts'))
      .sort();
    for (const path of sources) {
      const full = join(root, 'packages', packageDir, 'src', path);
      files.push({ path: relative(root, full), packageName: name, text: readFileSync(full, 'utf8') });
    }
  }
  return files;
}

const found = findFormats(sourceFiles());
if (process.argv.includes('--write')) {
  writeFileSync(recordFile, `${JSON.stringify(recordedVersions(found), null, 2)}\n`);
  console.log(`recorded ${Object.keys(found).length} format versions in ${relative(root, recordFile)}`);
} else {
  const recorded = JSON.parse(readFileSync(recordFile, 'utf8')) as Record<string, number>;
  const changesets = readdirSync(changesetDir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => parseChangeset(`.changeset/${file}`, readFileSync(join(changesetDir, file), 'utf8')));
  const problems = checkFormatVersions(recorded, found, changesets);
  if (problems.length > 0) {
    console.error(`Stored and exported formats (see CONTRIBUTING.md, "Changesets and format versions"):\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(
    `format versions: ${Object.entries(found)
      .map(([name, format]) => `${name}=${format.version}`)
      .join(', ')}; all recorded or declared by a changeset`,
  );
}
