// Thresholds + aggregated figures → checks (pure); the checks decide the exit code.
import type { AggregateView, Figures } from './aggregate.ts';
import type { CheckReport } from '../report/model.ts';
import { compare, type Threshold } from './thresholds.ts';

export function judgeThresholds(thresholds: Threshold[], view: AggregateView): CheckReport[] {
  return thresholds.map((t) => judgeOne(t, view));
}

function judgeOne(t: Threshold, view: AggregateView): CheckReport {
  const figures = t.endpoint === undefined ? view.overall : view.endpoints.get(t.endpoint);
  if (!figures) {
    const known = [...view.endpoints.keys()].join(', ') || 'none';
    return { name: t.source, passed: false, value: null, target: t.value, detail: `no requests for endpoint "${t.endpoint}" (endpoints: ${known})` };
  }
  if (figures.requests === 0) {
    return { name: t.source, passed: false, value: null, target: t.value, detail: 'no requests were answered in the judged phases' };
  }
  const value = metricValue(t, figures);
  const passed = compare(value, t.op, t.value);
  const where = t.endpoint ?? 'overall';
  return { name: t.source, passed, value, target: t.value, detail: `${where} ${t.metric} = ${format(t, value)} (need ${t.op} ${format(t, t.value)})` };
}

function metricValue(t: Threshold, f: Figures): number {
  if (t.metric === 'error_rate') return f.errorRate;
  if (t.metric === 'rps') return f.throughputRps;
  return f.latencyMs[t.metric];
}

function format(t: Threshold, value: number): string {
  if (t.metric === 'error_rate') return `${(value * 100).toPrecision(3)}%`;
  if (t.metric === 'rps') return `${value} req/s`;
  return `${value} ms`;
}
