/** `mapped`: any system's CSV or JSON export, read through the columns its system file maps (parser: src/core/observe/mapped.ts). */
import { parseMappedExport } from '../mapped.ts';
import type { ConnectorResult } from '../types.ts';
import { defineConnector } from './connector.ts';

export default defineConnector({
  id: 'mapped',
  meta: { rawFormat: 'configured', command: null },
  run(bytes, label, config): ConnectorResult {
    return parseMappedExport(bytes, label, config ?? {});
  },
});
