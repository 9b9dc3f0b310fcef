/**
 * EMF (CloudWatch Embedded Metric Format) lines read back as CloudWatch Logs would read them, for
 * tests: each line's `_aws` envelope checked against the specification (a Timestamp in ms, one or
 * more CloudWatchMetrics directives, each with a Namespace, Dimensions as lists of keys present on
 * the line as strings, and Metrics whose values are on the line as numbers or lists of numbers),
 * then flattened to one entry per metric per line. moto stores EMF lines but extracts nothing.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import assert from 'node:assert/strict';

export interface EmfDatum {
  namespace: string;
  name: string;
  unit: string;
  /** The dimension sets, each a list of keys, as the directive names them. */
  dimensionSets: string[][];
  /** Every dimension key's value on the line. */
  dimensions: Record<string, string>;
  values: number[];
  timestamp: number;
  /** The line's other keys (metadata such as the request id). */
  line: Record<string, unknown>;
}

/** Lines that are EMF (they carry `_aws`), checked and flattened; other lines are left out. */
export function readEmf(text: string): EmfDatum[] {
  const data: EmfDatum[] = [];
  for (const raw of text.split('\n').filter((l) => l.trim() !== '')) {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!('_aws' in line)) continue;
    const aws = line._aws as { Timestamp: unknown; CloudWatchMetrics: unknown };
    assert.ok(Number.isInteger(aws.Timestamp) && (aws.Timestamp as number) > 1e12, `Timestamp in ms: ${raw}`);
    assert.ok(Array.isArray(aws.CloudWatchMetrics) && aws.CloudWatchMetrics.length > 0, `CloudWatchMetrics: ${raw}`);
    for (const directive of aws.CloudWatchMetrics as { Namespace: unknown; Dimensions: unknown; Metrics: unknown }[]) {
      assert.equal(typeof directive.Namespace, 'string', raw);
      assert.ok(Array.isArray(directive.Dimensions), raw);
      const sets = directive.Dimensions as string[][];
      const dimensions: Record<string, string> = {};
      for (const key of sets.flat()) {
        assert.equal(typeof line[key], 'string', `dimension ${key} is a string on the line: ${raw}`);
        dimensions[key] = line[key] as string;
      }
      assert.ok(Array.isArray(directive.Metrics), raw);
      for (const metric of directive.Metrics as { Name: string; Unit?: string }[]) {
        const value = line[metric.Name];
        const values = Array.isArray(value) ? (value as unknown[]) : [value];
        assert.ok(values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v)), `values of ${metric.Name}: ${raw}`);
        data.push({ namespace: directive.Namespace as string, name: metric.Name, unit: metric.Unit ?? 'None', dimensionSets: sets, dimensions, values: values as number[], timestamp: aws.Timestamp as number, line });
      }
    }
  }
  return data;
}

/** The sum of a metric's values over the lines whose dimensions include `where`. */
export function sumOf(data: EmfDatum[], name: string, where: Record<string, string> = {}): number {
  return valuesOf(data, name, where).reduce((sum, v) => sum + v, 0);
}

export function valuesOf(data: EmfDatum[], name: string, where: Record<string, string> = {}): number[] {
  return data.filter((d) => d.name === name && Object.entries(where).every(([k, v]) => d.dimensions[k] === v)).flatMap((d) => d.values);
}
