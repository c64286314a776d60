import { z } from 'zod';

/** A Keyv namespace: the prefix of every key a store writes. */
export const namespaceSchema = z
  .string('a string of 1 to 64 letters, digits, `_`, `-` or `.`')
  .regex(/^[\w.-]{1,64}$/, 'a string of 1 to 64 letters, digits, `_`, `-` or `.`')
  .refine((value) => !['job', 'jobs', 'user', 'cache'].includes(value), 'a name other than job, jobs, user or cache (the store’s own key prefixes)');

/** An SQL table name that needs no quoting. */
export const tableSchema = z
  .string('an SQL table name (a letter or `_`, then up to 62 letters, digits or `_`)')
  .regex(/^[A-Za-z_]\w{0,62}$/, 'an SQL table name (a letter or `_`, then up to 62 letters, digits or `_`)');
