// CloudWatch metrics through Powertools for AWS Lambda: Embedded Metric Format, one JSON log line that CloudWatch
// turns into metrics, no API call. Our rule on top: one namespace and one dimension set, `Function` alone (the
// alarms watch exactly that set), so Powertools' default `service` dimension is cleared.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'SpotifyEtl';

export type MetricUnitName = 'Count' | 'Seconds' | 'Milliseconds';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function functionMetrics(
  functionName: string,
  metrics: Readonly<Record<string, number>>,
  unit: MetricUnitName,
  warnings = true,
): Metrics {
  const emf = new Metrics({ namespace: METRICS_NAMESPACE, ...(warnings ? {} : { logger: quiet }) });
  emf.clearDefaultDimensions();
  emf.setDefaultDimensions({ Function: functionName });
  for (const [name, value] of Object.entries(metrics)) emf.addMetric(name, MetricUnit[unit], value);
  return emf;
}

/** The EMF document for a set of metrics under the `Function` dimension, as Powertools serializes it. */
export function emfDocument(
  functionName: string,
  metrics: Readonly<Record<string, number>>,
  unit: MetricUnitName = 'Count',
  timestamp = Date.now(),
): Record<string, unknown> {
  // Quiet: a document built for a fixed (old) time stamp is not published, so CloudWatch's age limit is moot.
  const emf = functionMetrics(functionName, metrics, unit, false).setTimestamp(timestamp);
  return emf.serializeMetrics() as unknown as Record<string, unknown>;
}

/** Writes the metrics to stdout as one EMF line (Powertools' publishStoredMetrics), for CloudWatch to collect. */
export function emitMetrics(
  functionName: string,
  metrics: Readonly<Record<string, number>>,
  unit: MetricUnitName = 'Count',
): void {
  functionMetrics(functionName, metrics, unit).publishStoredMetrics();
}
