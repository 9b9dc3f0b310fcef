/**
 * `dataflow/aws-cdk`: a flow's AWS stack as CDK constructs, for `dataflow deploy aws` and for a
 * CDK app of one's own. `DataflowFlow` is every resource of one flow (functions, queues and their
 * dead-letter queues, table, bucket, secret, schedule, log groups, dashboard and alarms), to put in
 * any stack; `DataflowStack` is a stack of one, with the outputs the `dataflow` command reads.
 *
 * ```ts
 * const { flow } = await provideFlow(myFlowModule, ports);
 * new DataflowStack(app, 'my-flow-dev', { prefix: 'my-flow-dev', flow: describeFlow(flow, { sesFrom }), flowModule: './my-flow.mjs', sesFrom });
 * ```
 *
 * It needs aws-cdk-lib, constructs and esbuild, optional peer dependencies of this package.
 */
export { DataflowFlow, type DataflowFlowProps, type DeployedConsumerResources } from './deploy/aws/flow-resources.js';
export { DataflowStack, STACK_OUTPUTS, type DataflowStackProps } from './deploy/aws/flow-stack.js';
export { FlowDashboard, type FlowDashboardProps, type WatchedConsumer } from './deploy/aws/flow-dashboard.js';
export { describeFlow, type DeployedFlow, type DeployedConsumer, type DescribeOptions } from './deploy/aws/deployed-flow.js';
export { bundleForLambda, NATIVE_PACKAGES, type LambdaBundle, type LambdaBundleOptions } from './deploy/aws/lambda-bundle.js';
export { LAMBDA_PLATFORM } from './deploy/aws/native-packages.js';
export { eventBridgeCron } from './deploy/aws/eventbridge-cron.js';
export { addDeployment, synthesize, type DeploymentOptions, type Synthesized } from './deploy/aws/synthesize.js';
export { stageSettings, STAGES, type StageName, type StageSettings } from './deploy/aws/stages.js';
export { functionPermissions, policyDocument, resourceArn, type FunctionPermissions, type PermissionStatement, type ResourceRef } from './deploy/aws/permissions.js';
