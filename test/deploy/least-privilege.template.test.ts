/**
 * The synthesized policy is the policy that ran: each function's role in the weather stack's
 * template holds exactly the statements `functionPermissions` gives it (the very statements the
 * moto run grants its principals), besides writing its own log group, and nothing else. The
 * template's references are evaluated to ARNs from the resources' own names, in a chosen account
 * and region, and compared with the statements resolved by `resourceArn`.
 */
import { Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { functionPermissions, policyDocument, resourceArn, SCHEDULE_FUNCTION } from '../../src/deploy/aws/permissions.js';
import type { DeployedFlow } from '../../src/deploy/aws/deployed-flow.js';
import type { Flow } from '../../src/index.js';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';
import { SES_FROM, weatherStack } from './weather-stack.js';

type Resource = { Type: string; Properties?: Record<string, any> };
type Statement = { Sid?: string; Effect: string; Action: string[]; Resource: string[] };

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const names = awsResourceNames('dataflow-dev', { environment: {} });
const secretName = `${names.prefix}/secrets`;

let resources: Record<string, Resource>;
let deployed: DeployedFlow;
let flow: Flow;
let outdir: string;

before(async () => {
  const made = await weatherStack('dev');
  ({ deployed, flow, outdir } = made);
  resources = Template.fromStack(made.stack).toJSON().Resources;
});
after(() => rmSync(outdir, { recursive: true, force: true }));

/** A template value with its references made ARNs, as CloudFormation would in ACCOUNT and REGION. */
function evaluate(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(evaluate);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return refOf(String(object.Ref));
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    assert.equal(attribute, 'Arn', `only Arn is read, not ${attribute} of ${id}`);
    return arnOf(id);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(evaluate(part))).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, evaluate(inner)]));
}

function refOf(id: string): string {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
  if (pseudo[id]) return pseudo[id];
  const resource = resources[id];
  // A secret's Ref is its ARN, whose last six characters AWS picks: the name with `-??????`, as resourceArn writes it.
  if (resource?.Type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${resource.Properties!.Name}-??????`;
  throw new Error(`a policy refers to ${id} (${resource?.Type ?? 'no resource'}), which this test cannot evaluate`);
}

function arnOf(id: string): string {
  const resource = resources[id];
  const properties = resource?.Properties ?? {};
  switch (resource?.Type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${properties.TableName}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${properties.QueueName}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${properties.BucketName}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${properties.LogGroupName}:*`;
    default:
      throw new Error(`a policy names the ARN of ${id} (${resource?.Type ?? 'no resource'}), which this test cannot evaluate`);
  }
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
const normalized = (statements: Statement[]) => statements.map((s) => ({ Sid: s.Sid, Effect: s.Effect, Action: list(s.Action), Resource: list(s.Resource) }));

/** The policies attached to a function's role, by name, each evaluated. */
function policiesOfFunction(fn: string): Map<string, Statement[]> {
  const functionName = `${names.prefix}-${fn}`;
  const found = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties!.FunctionName === functionName);
  assert.ok(found, `no function ${functionName}`);
  const roleId = (found[1].Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  assert.equal(resources[roleId]!.Properties!.ManagedPolicyArns, undefined, `${functionName}'s role has managed policies`);
  assert.equal(resources[roleId]!.Properties!.Policies, undefined, `${functionName}'s role has inline policies of its own`);
  const attached = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId));
  return new Map(attached.map((r) => [String(r.Properties!.PolicyName), normalized((evaluate(r.Properties!.PolicyDocument) as { Statement: Statement[] }).Statement)]));
}

describe("the synthesized roles are the permissions module's statements", () => {
  it('the stack took its statements from the module, with the secret in Secrets Manager and mail from the configured identity', () => {
    assert.deepEqual(deployed.permissions, functionPermissions(flow, { secretStore: 'secretsmanager', mailIdentity: SES_FROM }));
  });

  it("each function's role holds exactly its statements, resolved to the stack's resources, and writing its own log group", () => {
    const where = { names, account: ACCOUNT, region: REGION, secret: { store: 'secretsmanager' as const, name: secretName } };
    assert.deepEqual(deployed.permissions.map((p) => p.function), [...flow.consumers().map((c) => c.name), SCHEDULE_FUNCTION]);
    for (const { function: fn, statements } of deployed.permissions) {
      const functionName = `${names.prefix}-${fn}`;
      const policies = policiesOfFunction(fn);
      const expected = normalized(policyDocument(statements, (ref) => resourceArn(ref, where)).Statement);
      assert.deepEqual(policies.get(`${functionName}-handler`), expected, `${functionName}: the handler's policy`);
      const others = [...policies].filter(([name]) => name !== `${functionName}-handler`).flatMap(([, s]) => s);
      assert.deepEqual(
        others.map((s) => ({ Action: s.Action, Resource: s.Resource })),
        [{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${functionName}:*`] }],
        `${functionName}: beside the handler's policy, only its own log group`,
      );
    }
  });
});
