//! Budget limits as written in a budgets file: `< 500ms`, `<= 1%`, `">= 99%"`, `+10%`, `+50ms`,
//! `-5%`, `< 5000 USD`. Quantities are normalised (milliseconds, fractions, bytes, money) so a
//! limit can be compared with a k6 or Infracost value directly.

use std::fmt;

/// What kind of number a statistic is; decides which units a limit may use and how values print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Milliseconds (k6 trend stats of `time` metrics).
    Time,
    /// A fraction 0..1 (k6 rate metrics' `rate`), written as a percentage.
    Fraction,
    /// Bytes (k6 `data` counters).
    Data,
    /// Money in the budgets' currency (Infracost).
    Money,
    /// A plain number (counts, per-second rates, gauges).
    Plain,
}

/// The unit a limit was written with.
#[derive(Debug, Clone, PartialEq)]
pub enum Unit {
    None,
    Time,
    Percent,
    Data,
    /// A currency code (`USD`) or symbol (`$` = USD).
    Currency(String),
}

impl Unit {
    fn describe(&self) -> String {
        match self {
            Unit::None => "no unit".into(),
            Unit::Time => "a duration unit".into(),
            Unit::Percent => "a percentage".into(),
            Unit::Data => "a data-size unit".into(),
            Unit::Currency(c) => format!("the currency {c}"),
        }
    }
}

/// A number with its unit, normalised: ms for durations, a fraction for `%`, bytes for sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
}

/// Which way an absolute limit goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Op::Lt => value < limit,
            Op::Le => value <= limit,
            Op::Gt => value > limit,
            Op::Ge => value >= limit,
        }
    }
}

/// One limit.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `< 500ms`: the current value alone.
    Absolute { op: Op, q: Quantity },
    /// `+10%` / `+50ms` (at most this much above the baseline) or `-5%` (at most this much below).
    Relative { increase: bool, q: Quantity },
}

impl Rule {
    pub fn is_relative(&self) -> bool {
        matches!(self, Rule::Relative { .. })
    }

    /// The limit the current value is compared with, given the baseline (relative rules).
    pub fn limit(&self, baseline: Option<f64>) -> Option<(Op, f64)> {
        match self {
            Rule::Absolute { op, q } => Some((*op, q.value)),
            Rule::Relative { increase, q } => {
                let b = baseline?;
                let delta = if q.unit == Unit::Percent {
                    b.abs() * q.value
                } else {
                    q.value
                };
                Some(if *increase {
                    (Op::Le, b + delta)
                } else {
                    (Op::Ge, b - delta)
                })
            }
        }
    }

    /// Check the rule's unit against the kind of the statistic it limits.
    pub fn check_kind(&self, kind: Kind) -> Result<(), String> {
        let (q, relative) = match self {
            Rule::Absolute { q, .. } => (q, false),
            Rule::Relative { q, .. } => (q, true),
        };
        let ok = match (&q.unit, kind) {
            (Unit::None, _) => true,
            (Unit::Percent, _) if relative => true,
            (Unit::Percent, Kind::Fraction) => true,
            (Unit::Time, Kind::Time) => true,
            (Unit::Data, Kind::Data) => true,
            (Unit::Currency(_), Kind::Money) => true,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            let expected = match kind {
                Kind::Time => "a duration such as 500ms or 1.5s (or a bare number of milliseconds)",
                Kind::Fraction => "a percentage such as 1% (or a bare fraction such as 0.01)",
                Kind::Data => "a size such as 512kB or 2MiB (or a bare number of bytes)",
                Kind::Money => "an amount such as 200 or 200 USD",
                Kind::Plain => "a bare number",
            };
            Err(format!(
                "{} uses {}, but this statistic needs {expected}",
                self,
                q.unit.describe()
            ))
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Absolute { op, q } => write!(f, "{} {}", op.as_str(), q),
            Rule::Relative { increase, q } => {
                write!(f, "{}{}", if *increase { "+" } else { "-" }, q)
            }
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Unit::None => f.write_str(&num(self.value)),
            Unit::Time => f.write_str(&fmt_ms(self.value)),
            Unit::Percent => write!(f, "{}%", num(self.value * 100.0)),
            Unit::Data => f.write_str(&fmt_bytes(self.value)),
            Unit::Currency(c) => write!(f, "{} {c}", num(self.value)),
        }
    }
}

/// Parse one limit. The error says what is wrong in words a user can act on.
pub fn parse(src: &str) -> Result<Rule, String> {
    let s = src.trim();
    let msg = |why: &str| {
        format!(
            "invalid limit {src:?}: {why} (write `< 500ms`, `<= 1%`, `>= 99%`, `+10%`, `+50ms` or `-5%`)"
        )
    };
    let bad = |why: &str| Err(msg(why));
    if s.is_empty() {
        return bad("it is empty");
    }
    let (rule_op, rest) = if let Some(r) = s.strip_prefix("<=") {
        (Some(Op::Le), r)
    } else if let Some(r) = s.strip_prefix(">=") {
        (Some(Op::Ge), r)
    } else if let Some(r) = s.strip_prefix('<') {
        (Some(Op::Lt), r)
    } else if let Some(r) = s.strip_prefix('>') {
        (Some(Op::Gt), r)
    } else {
        (None, s)
    };
    let rest = rest.trim();
    match rule_op {
        Some(op) => {
            let q = quantity(rest).map_err(|e| msg(&e))?;
            Ok(Rule::Absolute { op, q })
        }
        None => {
            let (increase, body) = if let Some(r) = rest.strip_prefix('+') {
                (true, r)
            } else if let Some(r) = rest.strip_prefix('-') {
                (false, r)
            } else {
                return bad(
                    "it must start with <, <=, >, >= (absolute) or + / - (relative to the baseline)",
                );
            };
            let q = quantity(body.trim()).map_err(|e| msg(&e))?;
            Ok(Rule::Relative { increase, q })
        }
    }
}

fn quantity(s: &str) -> Result<Quantity, String> {
    let (s, symbol) = match s.strip_prefix('$') {
        Some(r) => (r.trim_start(), Some("USD")),
        None => match s.strip_prefix('€') {
            Some(r) => (r.trim_start(), Some("EUR")),
            None => match s.strip_prefix('£') {
                Some(r) => (r.trim_start(), Some("GBP")),
                None => (s, None),
            },
        },
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == ','))
        .unwrap_or(s.len());
    let (num_s, unit_s) = s.split_at(split);
    let num_clean: String = num_s.chars().filter(|c| *c != '_' && *c != ',').collect();
    if num_clean.is_empty() {
        return Err("no number".into());
    }
    let n: f64 = num_clean
        .parse()
        .map_err(|_| format!("{num_s:?} is not a number"))?;
    if !n.is_finite() {
        return Err("the number is not finite".into());
    }
    let unit_s = unit_s.trim();
    let (value, unit) = match unit_s {
        "" => (n, Unit::None),
        "us" | "µs" | "μs" => (n / 1000.0, Unit::Time),
        "ms" => (n, Unit::Time),
        "s" => (n * 1000.0, Unit::Time),
        "m" | "min" => (n * 60_000.0, Unit::Time),
        "%" => (n / 100.0, Unit::Percent),
        "B" => (n, Unit::Data),
        "kB" | "KB" => (n * 1e3, Unit::Data),
        "MB" => (n * 1e6, Unit::Data),
        "GB" => (n * 1e9, Unit::Data),
        "KiB" => (n * 1024.0, Unit::Data),
        "MiB" => (n * 1024.0 * 1024.0, Unit::Data),
        "GiB" => (n * 1024.0 * 1024.0 * 1024.0, Unit::Data),
        c if c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()) => {
            (n, Unit::Currency(c.to_string()))
        }
        other => {
            return Err(format!(
                "unknown unit {other:?} (durations: us, ms, s, m; percent: %; sizes: B, kB, MB, KiB, MiB; money: a currency code such as USD)"
            ));
        }
    };
    let unit = match (symbol, unit) {
        (Some(sym), Unit::None) => Unit::Currency(sym.to_string()),
        (Some(sym), Unit::Currency(c)) if c == sym => Unit::Currency(c),
        (Some(_), _) => return Err("a currency symbol cannot be combined with another unit".into()),
        (None, u) => u,
    };
    Ok(Quantity { value, unit })
}

/// A number with at most two decimals, trailing zeros dropped; large numbers as integers.
pub fn num(v: f64) -> String {
    num_with(v, 2)
}

fn num_with(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return if v > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" { "0".into() } else { s }
}

pub fn fmt_ms(v: f64) -> String {
    fmt_ms_with(v, 2)
}

fn fmt_ms_with(v: f64, d: usize) -> String {
    if v.abs() >= 10_000.0 {
        format!("{}s", num_with(v / 1000.0, d))
    } else {
        format!("{}ms", num_with(v, d))
    }
}

pub fn fmt_bytes(v: f64) -> String {
    fmt_bytes_with(v, 2)
}

fn fmt_bytes_with(v: f64, d: usize) -> String {
    if v.abs() >= 1e6 {
        format!("{}MB", num_with(v / 1e6, d))
    } else if v.abs() >= 1e3 {
        format!("{}kB", num_with(v / 1e3, d))
    } else {
        format!("{}B", num_with(v, d))
    }
}

/// A value of a kind, for tables.
pub fn fmt_value(v: f64, kind: Kind, currency: &str) -> String {
    fmt_value_with(v, kind, currency, 2)
}

fn fmt_value_with(v: f64, kind: Kind, currency: &str, d: usize) -> String {
    match kind {
        Kind::Time => fmt_ms_with(v, d),
        Kind::Fraction => format!("{}%", num_with(v * 100.0, d)),
        Kind::Data => fmt_bytes_with(v, d),
        Kind::Money => {
            if currency.is_empty() {
                format!("{v:.d$}")
            } else {
                format!("{v:.d$} {currency}")
            }
        }
        Kind::Plain => num_with(v, d),
    }
}

/// `a` and `b` formatted with just enough decimals to tell them apart (up to 9): a value over
/// its limit never reads as equal to it ("110ms: over budget (allows <= 110ms)").
pub fn fmt_distinct(a: f64, b: f64, kind: Kind, currency: &str) -> (String, String) {
    let mut d = 2;
    loop {
        let (x, y) = (
            fmt_value_with(a, kind, currency, d),
            fmt_value_with(b, kind, currency, d),
        );
        if x != y || a == b || d >= 9 {
            return (x, y);
        }
        d += 1;
    }
}

/// The change from baseline to current, absolute and relative: `+12ms (+8.5%)`.
pub fn fmt_change(base: f64, cur: f64, kind: Kind, currency: &str) -> String {
    let d = cur - base;
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "-"
    } else {
        "±"
    };
    let abs = match kind {
        Kind::Fraction => format!("{}pp", num(d.abs() * 100.0)),
        _ => fmt_value(d.abs(), kind, currency),
    };
    let pct = if base != 0.0 {
        format!(" ({sign}{}%)", num((d / base).abs() * 100.0))
    } else if d != 0.0 {
        " (new)".to_string()
    } else {
        String::new()
    };
    format!("{sign}{abs}{pct}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_over_a_limit_never_read_as_equal() {
        assert_eq!(
            fmt_distinct(110.0001, 110.0, Kind::Time, ""),
            ("110.0001ms".to_string(), "110ms".to_string())
        );
        assert_eq!(
            fmt_distinct(0.00001, 0.0, Kind::Fraction, ""),
            ("0.001%".to_string(), "0%".to_string())
        );
        assert_eq!(
            fmt_distinct(5000.004, 5000.0, Kind::Money, "USD"),
            ("5000.004 USD".to_string(), "5000.000 USD".to_string())
        );
        assert_eq!(
            fmt_distinct(120.0, 110.0, Kind::Time, ""),
            ("120ms".to_string(), "110ms".to_string())
        );
    }

    #[test]
    fn parses_absolute_and_relative_limits() {
        assert_eq!(
            parse("< 500ms").unwrap(),
            Rule::Absolute {
                op: Op::Lt,
                q: Quantity {
                    value: 500.0,
                    unit: Unit::Time
                }
            }
        );
        assert_eq!(parse("<1.5s").unwrap().to_string(), "< 1500ms");
        assert_eq!(parse("<= 1%").unwrap().to_string(), "<= 1%");
        assert_eq!(parse(">= 99.9%").unwrap().to_string(), ">= 99.9%");
        assert_eq!(parse("+10%").unwrap().to_string(), "+10%");
        assert_eq!(parse("+50ms").unwrap().to_string(), "+50ms");
        assert_eq!(parse("-5%").unwrap().to_string(), "-5%");
        assert_eq!(parse("< 5,000 USD").unwrap().to_string(), "< 5000 USD");
        assert_eq!(parse("+$200").unwrap().to_string(), "+200 USD");
        assert_eq!(parse("< 2MiB").unwrap().to_string(), "< 2.1MB");
        assert_eq!(parse("< 250us").unwrap().to_string(), "< 0.25ms");
    }

    #[test]
    fn rejects_malformed_limits() {
        for bad in [
            "",
            "500ms",
            "< fast",
            "< 500 parsecs",
            "+",
            "< 5ms ms",
            "<< 5",
            "+$5ms",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.starts_with("invalid limit"), "{bad}: {e}");
        }
        assert!(
            parse("< 500 parsecs")
                .unwrap_err()
                .contains("unknown unit \"parsecs\"")
        );
    }

    #[test]
    fn relative_limits_follow_the_baseline() {
        let r = parse("+10%").unwrap();
        assert_eq!(r.limit(Some(200.0)), Some((Op::Le, 220.0)));
        assert_eq!(r.limit(None), None);
        let r = parse("-5%").unwrap();
        assert_eq!(r.limit(Some(1.0)), Some((Op::Ge, 0.95)));
        let r = parse("+50ms").unwrap();
        assert_eq!(r.limit(Some(200.0)), Some((Op::Le, 250.0)));
    }

    #[test]
    fn units_must_fit_the_statistic() {
        assert!(parse("< 1%").unwrap().check_kind(Kind::Time).is_err());
        assert!(parse("+10%").unwrap().check_kind(Kind::Time).is_ok());
        assert!(
            parse("< 500ms")
                .unwrap()
                .check_kind(Kind::Fraction)
                .is_err()
        );
        assert!(parse("< 500").unwrap().check_kind(Kind::Time).is_ok());
        assert!(parse("< 5 USD").unwrap().check_kind(Kind::Money).is_ok());
        assert!(parse("< 5ms").unwrap().check_kind(Kind::Money).is_err());
    }

    #[test]
    fn formats_values_and_changes() {
        assert_eq!(fmt_value(260.64205, Kind::Time, ""), "260.64ms");
        assert_eq!(fmt_value(0.005, Kind::Fraction, ""), "0.5%");
        assert_eq!(fmt_change(200.0, 230.0, Kind::Time, ""), "+30ms (+15%)");
        assert_eq!(fmt_change(0.0, 5.0, Kind::Money, "USD"), "+5.00 USD (new)");
        assert_eq!(fmt_change(10.0, 10.0, Kind::Plain, ""), "±0 (±0%)");
    }
}
