// Reading what Keyv's default serializer (`@keyv/serialize`) wrote, without its cost.
//
// The default deserializer is `JSON.parse` with a reviver: for every string it undoes the escape of
// a leading `:` (`"::x"` is the string `:x`) and turns `:base64:…` back into a Buffer. A reviver is
// called for every value of the document, which made it the largest single cost of reading a
// store: 0.95 s of a 10,000-summary export (profiled), more than the ZIP's compression.
//
// Such a string is the only thing the reviver changes, and in JSON text a string value starting
// with `:` is an opening quote followed by `:`, right after `:` (an object's value), `,` or `[` (an
// array's element), or at the very start, JSON whitespace allowed between (PostgreSQL's jsonb
// prints `": "`). A `"` inside a string is always escaped (`\"`), so string contents cannot look
// like that. A document where the pattern does not occur parses the same with and without the
// reviver; one where it does (or might: the pattern also matches a key ending in `:`) takes the
// reviver. The pattern is looked for from each `":` (found by `indexOf`) backwards: a regular
// expression starting with a class tries every position of the text and cost a 10,000-summary
// export 28 ms of its main thread (profiled), the scan a few.
import { Buffer } from 'node:buffer';
import type { Keyv } from 'keyv';

const QUOTE_COLON = '":';
// Character codes: JSON's whitespace, then what comes before a value.
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;

/** Whether `text` may hold a string value starting with `:`: a `"` then `:`, after `:`, `,`, `[` or nothing (JSON whitespace allowed between). */
export function mayHoldLeadingColonString(text: string): boolean {
  for (let quote = text.indexOf(QUOTE_COLON); quote !== -1; quote = text.indexOf(QUOTE_COLON, quote + 2)) {
    let before = quote - 1;
    let code = text.charCodeAt(before);
    while (code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN) code = text.charCodeAt(--before);
    if (before < 0 || code === COLON || code === COMMA || code === OPEN_BRACKET) return true;
  }
  return false;
}

/** Exactly what `@keyv/serialize`'s `defaultDeserialize` returns for `text`, faster when no string starts with `:`. */
export function deserializeKeyvText<T>(text: string): T {
  if (!mayHoldLeadingColonString(text)) return JSON.parse(text) as T;
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith(':')) return value;
    return value.startsWith(':base64:') ? Buffer.from(value.slice(8), 'base64') : value.slice(1);
  }) as T;
}

/** Gives a Keyv the store created with the deserializer above (its serializer stays Keyv's default). */
export function withFastReads<K extends Keyv>(keyv: K): K {
  keyv.deserialize = deserializeKeyvText as Keyv['deserialize'];
  return keyv;
}
