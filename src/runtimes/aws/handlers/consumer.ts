/**
 * The Lambda entry of every consumer's function: one bundle, one function per consumer, each
 * told which it is by DATAFLOW_CONSUMER (the mediator's name or a worker's), fed by that
 * consumer's queue with ReportBatchItemFailures on.
 */
import { consumerHandler } from '../handlers.js';
import { beginColdStart, lambdaContext } from '../lambda-context.js';
import { AWS_RUNTIME_ENV } from '../settings.js';

const consumer = process.env[AWS_RUNTIME_ENV.consumer];
if (!consumer) throw new Error(`${AWS_RUNTIME_ENV.consumer} must name the consumer this function runs (the mediator or a worker)`);

beginColdStart();
export const handler = consumerHandler(consumer, lambdaContext);
