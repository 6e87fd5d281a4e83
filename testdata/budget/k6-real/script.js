// Load test used by tests/budget.rs (real_k6_gates_a_slowed_server):
// GET $TARGET/api/items from 4 VUs for $DURATION, writing both of k6's JSON summaries
// (--summary-export on the command line, handleSummary() to $HANDLE_SUMMARY_OUT).
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 4,
  duration: __ENV.DURATION || '2s',
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    // Naming the tagged sub-metric in a threshold makes k6 export it.
    'http_req_duration{name:items}': ['p(95)<5000'],
  },
};

export default function () {
  const res = http.get(`${__ENV.TARGET}/api/items`, { tags: { name: 'items' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return { [__ENV.HANDLE_SUMMARY_OUT]: JSON.stringify(data) };
}
