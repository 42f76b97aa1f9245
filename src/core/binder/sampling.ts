/**
 * Sample sizes and draws. The default sizes follow the practitioners' table by control
 * frequency that docs/binder.md ("How sampling works") gives (the AICPA mandates none): a control that operates on events gets 25
 * items, the low end of the 25–60 range for event-driven controls; a quarterly control 2; a
 * point-in-time population (the inventory, privileged access, non-human identities) is tested
 * like an event-driven one, 25 items; deviations (unapproved merges) are all listed, never
 * sampled. A population smaller than its size is taken whole. `--sample N` sets one size for all.
 */
import { drawSample, mulberry32, populationSeed } from './prng.ts';
import type { Frequency, Population, SampleSpec } from './types.ts';

export const DEFAULT_SIZES: Readonly<Record<Frequency, { size: number | 'all'; basis: string }>> = {
  'event-driven': { size: 25, basis: 'event-driven control: 25 items (practitioner range 25–60)' },
  'point-in-time': { size: 25, basis: 'point-in-time population, tested like an event-driven control: 25 items' },
  quarterly: { size: 2, basis: 'quarterly control: 2 items' },
  deviation: { size: 'all', basis: 'deviations are all examined: the whole population' },
  index: { size: 0, basis: "an index of the other populations' gaps, not sampled: each gap's row is sampled, with its evidence chain, in its own population" },
};

export function sampleSizeFor(pop: Pick<Population, 'frequency'>, override: number | null): { size: number | 'all'; basis: string } {
  if (pop.frequency === 'index') return DEFAULT_SIZES.index;
  if (override !== null) return { size: override, basis: `--sample ${override}` };
  return DEFAULT_SIZES[pop.frequency];
}

/** The sample of one population, from its row count alone (the rows are read back by index). */
export function drawPopulationSample(pop: Pick<Population, 'id' | 'frequency' | 'rowCount'>, seed: number, override: number | null): SampleSpec {
  const { size, basis } = sampleSizeFor(pop, override);
  const n = pop.rowCount;
  const k = size === 'all' ? n : Math.min(size, n);
  const streamSeed = populationSeed(seed, pop.id);
  const rows = size === 'all' || k === n ? [...Array(n).keys()] : drawSample(mulberry32(streamSeed), n, k);
  return {
    population: pop.id,
    frequency: pop.frequency,
    population_rows: n,
    size: k,
    basis: k < (size === 'all' ? n : size) ? `${basis}; the population has only ${n}, so all are taken` : basis,
    seed,
    stream_seed: streamSeed,
    rows,
  };
}
