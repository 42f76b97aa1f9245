/** The worker thread of `RecordInspector` (record-inspection.ts): checks one batch of ledger records. */
import { inspectBatch, type InspectedRecord, type InspectTask } from './record-inspection.ts';

export default function checkRecords(task: InspectTask): InspectedRecord[] {
  return inspectBatch(task);
}
