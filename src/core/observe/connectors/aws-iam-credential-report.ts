/** `aws-iam-credential-report`: the CSV of `aws iam get-credential-report` (parser: src/core/observe/aws-iam.ts). */
import { AWS_IAM_COMMAND, parseAwsCredentialReport } from '../aws-iam.ts';
import type { ConnectorResult } from '../types.ts';
import { defineConnector } from './connector.ts';

export default defineConnector({
  id: 'aws-iam-credential-report',
  meta: { rawFormat: 'csv', command: AWS_IAM_COMMAND },
  run(bytes, label, _config, takenAt): ConnectorResult {
    return parseAwsCredentialReport(bytes, label, takenAt);
  },
});
