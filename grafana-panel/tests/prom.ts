// SPDX-License-Identifier: MIT
// prom: a Prometheus HTTP API answer (/api/v1/query) as Grafana's Prometheus
// data source hands it to a panel, for the unit and browser tests: format
// "time series", one frame per series, a Time field and a Value field whose
// labels are the series' labels; or format "table", one frame with a Time
// column, a column per label and a "Value #refId" column.
import { createDataFrame, type DataFrame, FieldType } from '@grafana/data';

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

function points(s: PromSample): Array<[number, string]> {
  return s.values ?? (s.value ? [s.value] : []);
}

// Prometheus writes NaN and infinities as strings, as it does every value.
function num(v: string): number {
  return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

export function promToFrames(result: PromSample[], refId: string, format: 'time_series' | 'table' = 'time_series'): DataFrame[] {
  if (format === 'table') {
    const labels = Array.from(new Set(result.flatMap((s) => Object.keys(s.metric)))).sort();
    const rows = result.flatMap((s) => points(s).map((p) => ({ s, p })));
    return [
      createDataFrame({
        refId,
        meta: { type: 'numeric-long' as never },
        fields: [
          { name: 'Time', type: FieldType.time, values: rows.map((r) => r.p[0] * 1000) },
          ...labels.map((l) => ({ name: l, type: FieldType.string, values: rows.map((r) => r.s.metric[l] ?? '') })),
          { name: `Value #${refId}`, type: FieldType.number, values: rows.map((r) => num(r.p[1])) },
        ],
      }),
    ];
  }
  return result.map((s) =>
    createDataFrame({
      refId,
      name: JSON.stringify(s.metric),
      meta: { type: 'numeric-multi' as never },
      fields: [
        { name: 'Time', type: FieldType.time, values: points(s).map((p) => p[0] * 1000) },
        { name: 'Value', type: FieldType.number, labels: s.metric, values: points(s).map((p) => num(p[1])) },
      ],
    })
  );
}
