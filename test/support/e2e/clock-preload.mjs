// Loaded with `node --import` into every process the end-to-end harness starts when it runs on a
// story clock (test/support/e2e/clock.ts): `Date` and `Date.now()` read the story's time, the
// wall clock plus the offset the harness writes to E2E_CLOCK_FILE, so the gate, the App and the CLI
// share one clock with the fake GitHub. Timers are not touched: a second still lasts a second.
import { readFileSync } from 'node:fs';

const file = process.env.E2E_CLOCK_FILE;
if (file) {
  const RealDate = globalThis.Date;
  const wall = RealDate.now.bind(RealDate);
  const offset = () => {
    try {
      return Number(readFileSync(file, 'utf8')) || 0;
    } catch {
      return 0;
    }
  };
  const now = () => wall() + offset();
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length > 0 ? args : [now()], newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, prop, receiver) => (prop === 'now' ? now : Reflect.get(target, prop, receiver)),
  });
}
