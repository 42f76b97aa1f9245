/**
 * nock's one standing job in tests against the fake GitHub: refuse every real connection, so a
 * client that was not pointed at the fake fails at once instead of reaching api.github.com. The
 * fake itself (and any server a test starts) listens on 127.0.0.1, which stays open.
 */
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';

export function refuseRealConnections(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
