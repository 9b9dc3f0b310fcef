/** The Lambda entry of the schedule's function, fired by an EventBridge rule on the flow's cron. */
import { scheduleHandler } from '../handlers.js';
import { beginColdStart, lambdaContext } from '../lambda-context.js';

beginColdStart();
export const handler = scheduleHandler(lambdaContext);
