/** mulberry32: a small seeded PRNG, so a generated input or a failing fuzz case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The seed of a chaos run: `CHAOS_SEED` when set (to replay a run), else a random one. Printed
 * as `chaos seed=<n>` so a failing run can be replayed with `CHAOS_SEED=<n> pnpm vitest run <file>`.
 */
export function chaosSeed(what: string): number {
  const given = process.env.CHAOS_SEED;
  let seed: number;
  if (given !== undefined && given.trim() !== '') {
    seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new Error(`Expected \`CHAOS_SEED\` to be an integer from 0 to 4294967295, got \`${given}\``);
    }
  } else {
    seed = Math.floor(Math.random() * 0x1_0000_0000);
  }
  console.log(`chaos seed=${seed} (${what})`);
  return seed;
}

/** A seeded PRNG for one named event of a run (FNV-1a of `key`, mixed with `seed`): the same for a key whatever the order of events. */
export function seededRandomFor(seed: number, key: string): () => number {
  let hash = 0x811c_9dc5 ^ seed;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x0100_0193);
  }
  return seededRandom(hash >>> 0);
}
