/**
 * CPU time from Linux's /proc, to tell where a multi-process run spends its cores: one process's
 * user + system seconds, and the whole machine's busy and total seconds. Elsewhere both are
 * undefined and the bench prints a dash.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | undefined;

function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds this process has used so far. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(); // utime, stime: fields 14 and 15
  } catch {
    return undefined;
  }
}

export interface MachineCpu {
  /** CPU seconds spent on anything but idle and I/O wait, summed over cores. */
  busy: number;
  /** CPU seconds elapsed, summed over cores. */
  total: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const total = values.reduce((sum, v) => sum + v, 0);
    const idle = values[3]! + values[4]!;
    return { busy: (total - idle) / ticksPerSecond(), total: total / ticksPerSecond() };
  } catch {
    return undefined;
  }
}
