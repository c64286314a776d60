// The rule "a change to a stored or exported format needs a changeset", as pure functions over
// file texts (scripts/check-format-versions.ts reads the files). A format is anything whose
// version the sources spell out:
// - `EXPORT_FORMAT_VERSION = N` (the batch.json layout),
// - a `version: N;` field of an exported interface (records kept in a store: `JobRecord.version`),
// - a versioned cache key prefix in a template literal (`transcript:v1:` gives `cache:transcript`).
// The versions of the last release are recorded in .changeset/format-versions.json. A version that
// differs from its recorded value needs a pending changeset with the line `Format: <name> <N>` that
// bumps the package holding the format by minor or major.

/** One format found in the sources. */
export interface FoundFormat {
  version: number;
  /** The package whose sources hold it (`@tubesum/core`), which the changeset must bump. */
  packageName: string;
  /** Where it was found, for messages. */
  file: string;
}

/** A source file of a package. */
export interface SourceFile {
  path: string;
  packageName: string;
  text: string;
}

/** A pending changeset: the bump of each package, and the formats it declares. */
export interface PendingChangeset {
  file: string;
  bumps: Record<string, string>;
  formats: Record<string, number>;
}

/** Reads the versions of every format from the sources; throws when one name has two versions. */
export function findFormats(files: readonly SourceFile[]): Record<string, FoundFormat> {
  const found: Record<string, FoundFormat> = {};
  const add = (name: string, version: number, file: SourceFile) => {
    const earlier = found[name];
    if (earlier && earlier.version !== version) {
      throw new Error(`format ${name} has version ${earlier.version} in ${earlier.file} and ${version} in ${file.path}`);
    }
    found[name] = { version, packageName: file.packageName, file: file.path };
  };
  for (const file of files) {
    let currentInterface: string | undefined;
    for (const line of file.text.split('\n')) {
      const interfaceMatch = /^export interface (\w+)/.exec(line);
      if (interfaceMatch) currentInterface = interfaceMatch[1];
      else if (line.startsWith('}')) currentInterface = undefined;
      const exportVersion = /\bEXPORT_FORMAT_VERSION = (\d+)/.exec(line);
      if (exportVersion) add('EXPORT_FORMAT_VERSION', Number(exportVersion[1]), file);
      const field = /^ {2}version: (\d+);/.exec(line);
      if (field && currentInterface) add(`${currentInterface}.version`, Number(field[1]), file);
      for (const key of line.matchAll(/`([a-z][a-z-]*):v(\d+):/g)) add(`cache:${key[1]}`, Number(key[2]), file);
    }
  }
  return found;
}

/** Parses a changeset file: the front matter's package bumps and its `Format: <name> <N>` lines. */
export function parseChangeset(file: string, text: string): PendingChangeset {
  const bumps: Record<string, string> = {};
  const formats: Record<string, number> = {};
  const frontMatter = /^---\n([\s\S]*?)\n---/.exec(text);
  for (const line of frontMatter?.[1]?.split('\n') ?? []) {
    const bump = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
    if (bump) bumps[bump[1]!] = bump[2]!;
  }
  for (const line of text.split('\n')) {
    const format = /^Format: (\S+) (\d+)\s*$/.exec(line);
    if (format) formats[format[1]!] = Number(format[2]);
  }
  return { file, bumps, formats };
}

/** What is wrong between the recorded versions, the sources and the pending changesets (empty when all is well). */
export function checkFormatVersions(
  recorded: Readonly<Record<string, number>>,
  found: Readonly<Record<string, FoundFormat>>,
  changesets: readonly PendingChangeset[],
): string[] {
  const problems: string[] = [];
  for (const [name, version] of Object.entries(recorded)) {
    if (!(name in found)) {
      problems.push(
        `format ${name} (recorded at version ${version}) is no longer found in the sources: if it moved or was renamed, ` +
          'update .changeset/format-versions.json; if it went away, that needs a changeset too',
      );
    }
  }
  for (const [name, format] of Object.entries(found)) {
    if (recorded[name] === format.version) continue;
    const declared = changesets.find((changeset) => changeset.formats[name] === format.version);
    const was = name in recorded ? `version ${recorded[name]} at the last release` : 'not recorded at the last release';
    if (!declared) {
      problems.push(
        `format ${name} is at version ${format.version} in ${format.file} (${was}) but no pending changeset declares it: ` +
          `run \`pnpm changeset\`, bump ${format.packageName} by minor or major and add the line "Format: ${name} ${format.version}"`,
      );
      continue;
    }
    const bump = declared.bumps[format.packageName];
    if (bump !== 'minor' && bump !== 'major') {
      problems.push(
        `${declared.file} declares format ${name} ${format.version} but bumps ${format.packageName} by ${bump ?? 'nothing'}: ` +
          'a format change needs a minor or major bump of the package that holds it',
      );
    }
  }
  for (const changeset of changesets) {
    for (const [name, version] of Object.entries(changeset.formats)) {
      if (found[name]?.version !== version) {
        problems.push(
          `${changeset.file} declares format ${name} ${version}, but the sources have ${found[name] ? `version ${found[name].version}` : 'no such format'}`,
        );
      }
    }
  }
  return problems;
}

/** The versions to record at a release: every format found, by name, sorted. */
export function recordedVersions(found: Readonly<Record<string, FoundFormat>>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(found)
      .sort()
      .map((name) => [name, found[name]!.version]),
  );
}
