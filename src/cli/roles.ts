import type { Flow } from '../index.js';

/** What one process runs: `mediator`, `scheduler`, `worker:<name>`, or `all`. */
export type Role = 'all' | 'mediator' | 'scheduler' | `worker:${string}`;

export function parseRoles(values: string[]): Role[] {
  const roles = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (roles.length === 0) return ['all'];
  for (const role of roles) {
    if (!(role === 'all' || role === 'mediator' || role === 'scheduler' || /^worker:[a-z0-9-]+$/.test(role))) {
      throw new Error(`unknown role ${JSON.stringify(role)}: use mediator, scheduler, worker:<name> or all`);
    }
  }
  return roles as Role[];
}

/** The consumers a set of roles runs; names unknown workers. */
export function consumersOf(roles: Role[], flow: Flow): string[] {
  if (roles.includes('all')) return flow.consumers().map((c) => c.name);
  const names = flow.workers.map((w) => w.name);
  const consumers: string[] = [];
  for (const role of roles) {
    if (role === 'mediator') consumers.push(flow.mediator.name);
    if (role.startsWith('worker:')) {
      const name = role.slice('worker:'.length);
      if (!names.includes(name)) throw new Error(`no worker named ${name}; the workers are ${names.join(', ')}`);
      consumers.push(name);
    }
  }
  return consumers;
}

export function runsSchedule(roles: Role[]): boolean {
  return roles.includes('all') || roles.includes('scheduler');
}
