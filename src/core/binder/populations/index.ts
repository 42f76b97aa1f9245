/**
 * The population registry. `POPULATIONS` is the binder's order (its files, sections and tables);
 * `ROW_ORDER` is the order the export calls the populations' hooks for each input, which is the
 * order the rows of one input are made and so the order of their rows in `gaps` (movers before
 * additions, the inventory before the other point-in-time populations). A new population is a
 * module in this folder, its test, and its id in both lists.
 */
import type { PopulationId } from '../columns.ts';
import type { PopulationModule } from './types.ts';
import gaps from './gaps.ts';
import grantChanges from './grant-changes.ts';
import additions from './additions.ts';
import removals from './removals.ts';
import modifications from './modifications.ts';
import movers from './movers.ts';
import privileged from './privileged.ts';
import nonHuman from './non-human.ts';
import exceptions from './exceptions.ts';
import reviewCampaigns from './review-campaigns.ts';
import unapprovedMerges from './unapproved-merges.ts';
import leftOrg from './left-org.ts';
import systemChanges from './system-changes.ts';
import inventory from './inventory.ts';
import completeness from './completeness.ts';

export const POPULATIONS: readonly PopulationModule[] = [
  gaps,
  grantChanges,
  additions,
  removals,
  modifications,
  movers,
  privileged,
  nonHuman,
  exceptions,
  reviewCampaigns,
  unapprovedMerges,
  leftOrg,
  systemChanges,
  inventory,
  completeness,
];

export const ROW_ORDER: readonly PopulationId[] = [
  'gaps',
  'grant-changes',
  'movers',
  'additions',
  'removals',
  'modifications',
  'inventory',
  'privileged',
  'non-human',
  'exceptions',
  'review-campaigns',
  'unapproved-merges',
  'left-org',
  'system-changes',
  'completeness',
];

/** The population ids in binder order. @internal the tests and the docs checks read it. */
export const POPULATION_ORDER: readonly PopulationId[] = POPULATIONS.map((p) => p.id);
