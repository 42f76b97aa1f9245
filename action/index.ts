/** The bundle's entry (dist/index.js): runs the gate once, as the runner starts it. */
import { run } from './main.ts';

await run();
