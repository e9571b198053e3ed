// CloudWatch metrics in Embedded Metric Format: one JSON log line that CloudWatch turns into metrics, no API call.
export const METRICS_NAMESPACE = 'SpotifyEtl';

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

/** The EMF document for a set of metrics under one dimension set (`Function`). */
export function emfDocument(
  functionName: string,
  metrics: Readonly<Record<string, number>>,
  unit: MetricUnit = 'Count',
  timestamp = Date.now(),
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Function']],
          Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: unit })),
        },
      ],
    },
    Function: functionName,
    ...metrics,
  };
}

export function emitMetrics(
  functionName: string,
  metrics: Readonly<Record<string, number>>,
  write = (line: string) => process.stdout.write(line + '\n'),
): void {
  write(JSON.stringify(emfDocument(functionName, metrics)));
}
