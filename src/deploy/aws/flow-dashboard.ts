/**
 * How a deployed flow is watched: a CloudWatch dashboard of the flow (messages by consumer and
 * outcome, handling time, dead letters, GIF bytes, queue depths, function errors), and alarms on
 * each dead-letter queue's depth, on the messages the core dead-lettered, and on each function's
 * errors. The custom metrics are those the handlers publish (observability/cloudwatch-names.ts),
 * all under the `service` dimension set to the deployment's prefix.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE, METRICS } from '../../observability/cloudwatch-names.js';

export interface WatchedConsumer {
  name: string;
  function: lambda.IFunction;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
}

export interface FlowDashboardProps {
  prefix: string;
  flowName: string;
  consumers: WatchedConsumer[];
  scheduleFunction?: lambda.IFunction;
}

const PERIOD = Duration.minutes(5);

export class FlowDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, for actions a deployment adds (`alarm.addAlarmAction(...)`). */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: FlowDashboardProps) {
    super(scope, id);
    const { prefix, consumers } = props;
    const custom = (metric: { name: string; unit: string }, dimensions: Record<string, string>, statistic = 'Sum', label?: string) =>
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: metric.name, dimensionsMap: { service: prefix, ...dimensions }, statistic, period: PERIOD, label });

    for (const consumer of consumers) {
      this.alarms.push(
        alarmOnAny(this, `${consumer.name}DeadLetterQueueDepth`, {
          alarmName: `${prefix}-${consumer.name}-dlq-depth`,
          alarmDescription: `Messages in ${consumer.name}'s dead-letter queue: deliveries the handler never settled (a cold start or a timeout that kept failing). Look, then redrive.`,
          metric: consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        }),
        alarmOnAny(this, `${consumer.name}DeadLetters`, {
          alarmName: `${prefix}-${consumer.name}-dead-letters`,
          alarmDescription: `Messages ${consumer.name} dead-lettered with a reason (dataflow failed --runtime aws lists them).`,
          metric: custom(METRICS.deadLetters, { consumer: consumer.name }),
        }),
        errorsAlarm(this, `${consumer.name}Errors`, `${prefix}-${consumer.name}-errors`, consumer.function),
      );
    }
    if (props.scheduleFunction) this.alarms.push(errorsAlarm(this, 'ScheduleErrors', `${prefix}-schedule-errors`, props.scheduleFunction));

    const graph = (title: string, left: cloudwatch.IMetric[], width = 12) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: `# ${props.flowName} (${prefix})\nMessages each consumer handled, by outcome; how long each handling took; what was dead-lettered; queue depths; function errors.`,
            width: 24,
            height: 2,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 })],
        [
          graph('Messages done, by consumer', consumers.map((c) => custom(METRICS.messages, { consumer: c.name, outcome: 'done' }, 'Sum', c.name))),
          graph('Messages retried or dead, by consumer', consumers.flatMap((c) => (['retry', 'dead'] as const).map((o) => custom(METRICS.messages, { consumer: c.name, outcome: o }, 'Sum', `${c.name} ${o}`)))),
        ],
        [
          // Every type the flow has, found by a search rather than listed: the stack need not know them.
          graph('Messages by type and outcome', [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${METRIC_NAMESPACE},${METRICS.messagesByType.dimensions.join(',')}} MetricName="${METRICS.messagesByType.name}" service="${prefix}"', 'Sum', ${PERIOD.toSeconds()})`,
              label: '',
              period: PERIOD,
            }),
          ], 24),
        ],
        [
          graph('Handling time p50 / p99 (ms)', consumers.flatMap((c) => ['p50', 'p99'].map((p) => custom(METRICS.handlerDuration, { consumer: c.name }, p, `${c.name} ${p}`)))),
          graph('Dead letters, by consumer', consumers.map((c) => custom(METRICS.deadLetters, { consumer: c.name }, 'Sum', c.name))),
        ],
        [
          graph('Queue depth (waiting)', consumers.map((c) => c.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: c.name }))),
          graph('Dead-letter queue depth', consumers.map((c) => c.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: c.name }))),
        ],
        [
          graph('Function errors', [...consumers.map((c) => c.function.metricErrors({ period: PERIOD, label: c.name })), ...(props.scheduleFunction ? [props.scheduleFunction.metricErrors({ period: PERIOD, label: 'schedule' })] : [])]),
          graph('GIF bytes', [custom(METRICS.gifBytes, {}, 'Average', 'average'), custom(METRICS.gifBytes, {}, 'Maximum', 'largest')]),
        ],
      ],
    });
  }
}

function errorsAlarm(scope: Construct, id: string, alarmName: string, fn: lambda.IFunction): cloudwatch.Alarm {
  return alarmOnAny(scope, id, {
    alarmName,
    alarmDescription: `Invocations of ${alarmName.replace(/-errors$/, '')} that failed (a thrown error, a timeout, a cold start that died).`,
    metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
  });
}

/** Every alarm of the flow fires on the first one in a period: a dead letter or a failure is worth a look. */
function alarmOnAny(scope: Construct, id: string, props: Pick<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'metric'>): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    ...props,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
