/**
 * The core's Logger port on Powertools Logger, for the handlers in Lambda: JSON lines in the shape
 * CloudWatch Logs Insights and the Powertools tooling expect (`level`, `message`, `service`,
 * `timestamp`, and, once told the invocation, `function_request_id`, `function_name`, `cold_start`).
 * The processor's lines about a message add its `messageId`, `type`, `consumer` and `attempt`.
 *
 * Every child shares one Powertools logger and keeps its own fields, so the invocation given to
 * {@link LambdaLogger.addContext} reaches every line, also those of children made earlier (Lambda
 * runs one invocation at a time per process). Each finished line is scrubbed of the known secrets
 * on its way out (Powertools' `printLog`, the documented extension point), so no field, key, child
 * field or nesting depth can carry one. Info and below go to standard output, warnings and errors
 * to standard error, as Powertools' own console does; Lambda sends both to the function's log group.
 */
import { Logger as PowertoolsLogger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger';
import type { Logger } from '../core/logger.js';
import { secretScrubber } from '../core/redact.js';

/** The part of the Lambda context object (a handler's second argument) the logs carry. */
export interface LambdaInvocationContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
}

export interface LambdaLogger extends Logger {
  /** The invocation under way: its request id and function go on every line from now on. */
  addContext(context: LambdaInvocationContext): void;
}

export interface PowertoolsLoggerOptions {
  /** @defaultValue 'info' */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** The `service` key of every line: the deployment's prefix. */
  service: string;
  /** Values to scrub from every line. */
  secrets?: readonly string[];
  /** Where info and debug lines go. @defaultValue process.stdout */
  out?: { write(text: string): unknown };
  /** Where warnings and errors go. @defaultValue process.stderr */
  err?: { write(text: string): unknown };
}

type Level = 'debug' | 'info' | 'warn' | 'error';

export function createPowertoolsLogger(options: PowertoolsLoggerOptions): LambdaLogger {
  const scrub = secretScrubber(options.secrets ?? []);
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;

  class ScrubbingLogger extends PowertoolsLogger {
    protected override printLog(logLevel: number, log: LogItem): void {
      log.prepareForPrint();
      const line = scrub(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
      (logLevel >= LogLevelThreshold.WARN ? err : out).write(`${line}\n`);
    }

    protected override createLogger(childOptions?: ConstructorParameters<typeof PowertoolsLogger>[0]): PowertoolsLogger {
      return new ScrubbingLogger(childOptions);
    }
  }

  const root = new ScrubbingLogger({ serviceName: options.service, logLevel: (options.level ?? 'info').toUpperCase() as 'INFO' });

  const portOf = (bindings: Record<string, unknown>): LambdaLogger => {
    const at = (level: Level) => (fields: Record<string, unknown>, text: string) => root[level](text, { ...bindings, ...fields });
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (fields) => portOf({ ...bindings, ...fields }),
      addContext: (context) => root.addContext(context as Parameters<PowertoolsLogger['addContext']>[0]),
    };
  };
  return portOf({});
}
