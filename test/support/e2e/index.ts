/** The end-to-end harness: the fake GitHub, Acme's world on it, the product's processes, and what to observe. */
export { startFakeGitHub, type FakeGitHub } from '../fake-github/index.ts';
export * from './processes.ts';
export * from './world.ts';
export * from './clone.ts';
export * from './observe.ts';
