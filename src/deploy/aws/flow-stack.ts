/**
 * `DataflowStack`: a stack holding one `DataflowFlow` and the outputs the `dataflow` command reads
 * after deploying (the names the AWS runtime's settings take). Its name is the prefix, so each
 * stage is its own stack. For a CDK app of one's own, put a `DataflowFlow` in any stack instead.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataflowFlow, type DataflowFlowProps } from './flow-resources.js';

/** The outputs' keys. */
export const STACK_OUTPUTS = {
  prefix: 'Prefix',
  table: 'StateTable',
  bucket: 'BlobBucket',
  secret: 'SecretSettings',
  dashboard: 'Dashboard',
  scheduleRule: 'ScheduleRule',
} as const;

export interface DataflowStackProps extends StackProps, DataflowFlowProps {}

export class DataflowStack extends Stack {
  readonly flow: DataflowFlow;

  constructor(scope: Construct, id: string, props: DataflowStackProps) {
    super(scope, id, { description: `dataflow: the flow ${props.flow.name} (${props.prefix ?? 'dataflow'})`, ...props });
    const flow = new DataflowFlow(this, 'Flow', props);
    this.flow = flow;
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output(STACK_OUTPUTS.prefix, flow.names.prefix, 'DATAFLOW_AWS_PREFIX');
    output(STACK_OUTPUTS.table, flow.table.ref, 'the state table');
    output(STACK_OUTPUTS.bucket, flow.bucket.bucketName, 'DATAFLOW_AWS_BUCKET');
    if (flow.secretName) output(STACK_OUTPUTS.secret, flow.secretName, "where the flow's secret settings are kept: DATAFLOW_SECRETS=secretsmanager:<this>");
    output(STACK_OUTPUTS.dashboard, flow.watch.dashboard.dashboardName, 'the CloudWatch dashboard');
    if (flow.scheduleRule) output(STACK_OUTPUTS.scheduleRule, flow.scheduleRule.ruleName, "the EventBridge rule on the flow's cron");
  }
}
