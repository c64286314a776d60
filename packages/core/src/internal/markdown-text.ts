// Untrusted text (a title, an input, a model's prose) made safe to place in Markdown. Shared by
// `summarizers/` (a summary's Markdown) and `export/` (the files of the ZIP), so neither imports the other.

/** Whitespace that {@link oneLine} changes inside a text: any but a space, or two in a row. */
const NOT_ONE_SPACE = /[^\S ]|\s{2}/;

/** Collapses every run of whitespace (line breaks included) to one space. */
export function oneLine(text: string): string {
  // Most text has single spaces only: replacing each with itself cost an export a twentieth of its time.
  if (!NOT_ONE_SPACE.test(text)) return text.trim();
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Untrusted text (a title, an input, an error message) as inert inline Markdown on one line:
 * characters that could start a link, emphasis, HTML, a table cell or a heading are escaped.
 */
export function escapeInline(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&#]/g, (character) => `\\${character}`);
}

/**
 * Prose from a summarizer (a key point, a chapter summary) on one line. Its own Markdown
 * (emphasis, code) is kept; raw HTML is not let through.
 */
export function prose(text: string): string {
  return oneLine(text).replace(/[<>]/g, (character) => `\\${character}`);
}
