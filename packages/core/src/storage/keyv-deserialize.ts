// Reading what Keyv's default serializer (`@keyv/serialize`) wrote, without its cost.
//
// The default deserializer is `JSON.parse` with a reviver: for every string it undoes the escape of
// a leading `:` (`"::x"` is the string `:x`) and turns `:base64:…` back into a Buffer. A reviver is
// called for every value of the document, which made it the largest single cost of reading a
// store: 0.95 s of a 10,000-summary export (profiled), more than the ZIP's compression.
//
// Such a string is the only thing the reviver changes, and in JSON text a string value starting
// with `:` is an opening quote followed by `:`, right after `:` (an object's value), `,` or `[` (an
// array's element), or at the very start, whitespace allowed between (PostgreSQL's jsonb prints
// `": "`). A `"` inside a string is always escaped (`\"`), so string contents cannot look like
// that. A document where the pattern does not occur parses the same with and without the reviver;
// one where it does (or might: the pattern also matches a key ending in `:`) takes the reviver.
import { Buffer } from 'node:buffer';
import type { Keyv } from 'keyv';

const LEADING_COLON_STRING = /(?:^|[:,[])\s*":/;

/** Exactly what `@keyv/serialize`'s `defaultDeserialize` returns for `text`, faster when no string starts with `:`. */
export function deserializeKeyvText<T>(text: string): T {
  if (!LEADING_COLON_STRING.test(text)) return JSON.parse(text) as T;
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
