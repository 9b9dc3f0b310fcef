// A module hook that makes the heavy packages unresolvable, as if they were not installed:
// `node --import ./block-packages.mjs …`. Set DATAFLOW_BLOCKED (comma-separated) to choose them.
import { register } from 'node:module';

const blocked = (process.env.DATAFLOW_BLOCKED || 'better-sqlite3,pg,pg-boss,nodemailer,sharp,@aws-sdk/').split(',');
const hooks = `
const blocked = ${JSON.stringify(blocked)};
export async function resolve(specifier, context, next) {
  if (blocked.some((name) => (name.endsWith('/') ? specifier.startsWith(name) : specifier === name || specifier.startsWith(name + '/')))) {
    const error = new Error('Cannot find package ' + JSON.stringify(specifier) + ' (blocked)');
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
