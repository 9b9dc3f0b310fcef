/**
 * A flow's cron (five fields, or six with seconds first, in UTC: croner's syntax) as EventBridge's
 * `cron(minutes hours day-of-month month day-of-week year)`. EventBridge differs from Unix cron:
 * a step starts from a value (`0/7`, not `*\/7`), days of the week run 1-7 from Sunday (Unix: 0-6,
 * 7 also Sunday), one of the two day fields must be `?`, and nothing fires more than once a minute.
 * What it cannot say is an error naming the field.
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html)
 */

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function eventBridgeCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length === 6) {
    const seconds = fields.shift()!;
    if (seconds !== '0') throw new Error(`the schedule ${JSON.stringify(cron)} fires on seconds ${JSON.stringify(seconds)}: EventBridge fires at most once a minute, so the seconds field must be 0`);
  }
  if (fields.length !== 5) throw new Error(`the schedule ${JSON.stringify(cron)} is not a cron expression of five fields (minute hour day-of-month month day-of-week)`);
  if (fields.some((field) => field.startsWith('@'))) throw new Error(`the schedule ${JSON.stringify(cron)}: write it as five fields, not a nickname`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek] = fields.map(fromStar) as [string, string, string, string, string];
  const anyDayOfMonth = dayOfMonth === '*';
  const anyDayOfWeek = dayOfWeek === '*';
  if (!anyDayOfMonth && !anyDayOfWeek) {
    throw new Error(`the schedule ${JSON.stringify(cron)} names both a day of the month and a day of the week, which EventBridge cannot combine: keep one, * in the other`);
  }
  const days = anyDayOfWeek ? [dayOfMonth, '?'] : ['?', weekDays(dayOfWeek, cron)];
  return `cron(${[minutes, hours, ...days.slice(0, 1), month, ...days.slice(1), '*'].join(' ')})`;
}

/** `*\/n` steps from the first value, as EventBridge writes it: `0/n` (or `1/n` for days and months). */
function fromStar(field: string, index: number): string {
  const first = index === 2 || index === 3 ? '1' : '0';
  return field.replace(/^\*\//, `${first}/`);
}

/** Unix day numbers (0-7, Sunday 0 or 7) as names, which EventBridge reads the same. */
function weekDays(field: string, cron: string): string {
  if (field.includes('/')) throw new Error(`the schedule ${JSON.stringify(cron)}: EventBridge takes no step (/) in the day of the week`);
  const day = (text: string) => {
    if (!/^\d$/.test(text)) return text.toUpperCase();
    const n = Number(text);
    if (n > 7) throw new Error(`the schedule ${JSON.stringify(cron)}: ${text} is no day of the week (0-7)`);
    return DAY_NAMES[n % 7]!;
  };
  return field
    .split(',')
    .map((part) => {
      const [value, nth] = part.split('#') as [string, string | undefined];
      const range = value.split('-').map(day);
      if (range.length === 2 && DAY_NAMES.indexOf(range[0]!) > DAY_NAMES.indexOf(range[1]!) && DAY_NAMES.includes(range[1]!)) {
        throw new Error(`the schedule ${JSON.stringify(cron)}: the range ${value} runs past Saturday; write it as two (e.g. 5-6,0)`);
      }
      return range.join('-') + (nth === undefined ? '' : `#${nth}`);
    })
    .join(',');
}
