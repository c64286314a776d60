// Part of a published package's `check:package` (run in its folder, after `pnpm build`): fails when
// its dist/ imports a private workspace package (`@tubesum/proxy`, `@tubesum/test-support`), which
// users could never install. Private code must be bundled (tsup `noExternal`, and `dts.resolve`
// where a public type uses it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const privateNames = readdirSync(join(root, 'packages'))
  .map((folder) => JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as { name: string; private?: boolean })
  .filter((manifest) => manifest.private === true)
  .map((manifest) => manifest.name);

const dist = join(process.cwd(), 'dist');
const escaped = privateNames.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
// `from '…'`, `import('…')`, `require('…')` and `import '…'` of the package or one of its subpaths.
const importOf = new RegExp(`(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)['"](${escaped.join('|')})(?:/[^'"]*)?['"]`);

const problems: string[] = [];
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!/\.(js|d\.ts)$/.test(file)) continue;
  const match = importOf.exec(readFileSync(join(dist, file), 'utf8'));
  if (match) problems.push(`dist/${file} imports the private package ${match[1]}`);
}

if (problems.length > 0) {
  console.error(`${problems.join('\n')}\nBundle it instead (tsup noExternal, and dts.resolve for declarations).`);
  process.exit(1);
}
console.log(`no import of a private package (${privateNames.join(', ')}) in ${dist}`);
