/**
 * The sampling generator: mulberry32 (Tommy Ettinger's 32-bit generator, public domain), chosen
 * because an auditor can re-implement it from its ten-line definition in any language and get the
 * same stream. It is not cryptographic and need not be: the seed is published in the binder, and
 * what matters is that anyone can re-derive the sample, not that nobody can predict it.
 *
 *   state = (state + 0x6D2B79F5) mod 2^32
 *   t = state; t = (t XOR (t >>> 15)) * (t | 1); t ^= t + (t XOR (t >>> 7)) * (t | 61)
 *   output = (t XOR (t >>> 14)) >>> 0            (a uint32; divided by 2^32 for [0, 1))
 *
 * with 32-bit multiplication (Math.imul) throughout.
 */

export interface Prng {
  /** The next uint32 of the stream. */
  nextUint32(): number;
  /** A uniform integer in [0, n), without modulo bias (rejection sampling). */
  below(n: number): number;
}

export function mulberry32(seed: number): Prng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer from 0 to 4294967295, not ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint32,
    below(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`below(n) needs 1 <= n <= 2^32, not ${n}`);
      // Reject the top partial bucket so every value in [0, n) is equally likely.
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % n;
      }
    },
  };
}

/**
 * A population's own stream: the binder seed mixed with the population id (FNV-1a 32 of the id,
 * XOR the seed), so adding a population never shifts another population's sample.
 */
export function populationSeed(seed: number, populationId: string): number {
  return (seed ^ fnv1a32(populationId)) >>> 0;
}

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * `k` distinct row indices out of `n`, drawn by the first k steps of a Fisher-Yates shuffle
 * (step i swaps position i with a uniform position in [i, n)), returned in draw order. The swaps
 * are kept in a map, so drawing 25 rows from 100,000 costs 25 steps, not an array of 100,000.
 */
export function drawSample(prng: Prng, n: number, k: number): number[] {
  const take = Math.min(Math.max(0, Math.floor(k)), n);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < take; i++) {
    const j = i + prng.below(n - i);
    const atJ = swapped.get(j) ?? j;
    const atI = swapped.get(i) ?? i;
    swapped.set(j, atI);
    out.push(atJ);
  }
  return out;
}
