//! Diagnostic codes of the performance and cost budgets (`BUDnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    BUDGET_EXCEEDED,
    "BUD001",
    "budget-exceeded",
    Policy,
    Error,
    4.0,
    "A performance or cost budget is exceeded: an absolute limit, or the allowed change from the baseline.",
    "make the change cheaper or faster, or raise the budget in the budgets file with a reviewed reason",
);
code!(
    K6_THRESHOLD_FAILED,
    "BUD002",
    "k6-threshold-failed",
    Policy,
    Error,
    4.0,
    "A threshold defined in the k6 script failed in the run the summary describes.",
    "fix the regression, or pass --ignore-k6-thresholds to gate on the budgets file alone",
);
code!(
    NO_BASELINE_VALUE,
    "BUD003",
    "no-baseline-value",
    Policy,
    Warning,
    1.0,
    "A budget relative to the baseline could not be checked because the baseline has no value for it.",
    "pass --baseline (perf) or an Infracost diff with past costs (cost); a new metric or project has no baseline yet",
);
code!(
    UNKNOWN_METRIC,
    "BUD004",
    "unknown-metric",
    Input,
    Error,
    3.0,
    "The budgets file names a k6 metric (or tagged sub-metric) that the summary does not contain.",
    "check the spelling; a tagged sub-metric is only exported when a k6 threshold refers to it",
);
code!(
    MISSING_STAT,
    "BUD005",
    "missing-stat",
    Input,
    Error,
    3.0,
    "The budgets file needs a statistic (e.g. p(99)) that the k6 summary does not export.",
    "add the statistic to k6's summaryTrendStats option (k6 run --summary-trend-stats)",
);
code!(
    CURRENCY_MISMATCH,
    "BUD006",
    "currency-mismatch",
    Input,
    Error,
    3.0,
    "The Infracost output is priced in another currency than the budgets file.",
    "set `currency:` in the budgets file to the Infracost currency, or run Infracost with the budgets' currency",
);
code!(
    INVALID_BUDGETS,
    "BUD007",
    "invalid-budgets",
    Input,
    Error,
    3.0,
    "The budgets file is invalid: an unknown key, a malformed limit or unit, or a unit that does not fit the metric.",
    "fix the entry at the reported line:column; see docs/budgets.md for the budgets file format",
);
code!(
    COST_PROJECT_ERROR,
    "BUD008",
    "cost-project-error",
    Semantic,
    Error,
    4.0,
    "Infracost could not price a project, so its cost is unknown and the totals are too low.",
    "fix the error Infracost reports for the project (it is in projects[].metadata.errors)",
);
code!(
    K6_THRESHOLD_IGNORED,
    "BUD009",
    "k6-threshold-ignored",
    Policy,
    Warning,
    1.0,
    "A k6 threshold failed but --ignore-k6-thresholds was given, so it does not deny.",
    "drop --ignore-k6-thresholds to gate on k6's own thresholds too",
);

code!(
    UNMATCHED_BUDGET,
    "BUD010",
    "unmatched-budget",
    Policy,
    Warning,
    1.0,
    "A project or service budget matches no project in the Infracost output, so it limits nothing.",
    "check the pattern against the project names Infracost prints (projects[].name)",
);

code!(
    BUDGET_RESULT,
    "BUD011",
    "budget-result",
    Policy,
    Note,
    0.0,
    "One line of the budget table (metric, baseline, current, change, budget, verdict), for formats without tables.",
    "nothing to do; SARIF, JUnit and GitHub output carry the budget table as these notes",
);

code!(
    COST_UNKNOWN,
    "BUD012",
    "cost-unknown",
    Policy,
    Error,
    4.0,
    "A cost budget applies to a monthly cost Infracost reported as unknown (null), so the budget cannot be shown to hold: it denies.",
    "make the cost known (check Infracost's usage file and unsupported resources), or remove the budget for that project",
);

pub static ALL: &[&CodeInfo] = &[
    &BUDGET_EXCEEDED,
    &K6_THRESHOLD_FAILED,
    &NO_BASELINE_VALUE,
    &UNKNOWN_METRIC,
    &MISSING_STAT,
    &CURRENCY_MISMATCH,
    &INVALID_BUDGETS,
    &COST_PROJECT_ERROR,
    &K6_THRESHOLD_IGNORED,
    &UNMATCHED_BUDGET,
    &BUDGET_RESULT,
    &COST_UNKNOWN,
];
