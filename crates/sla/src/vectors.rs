//! Shared test vectors: the same JSON runs natively and in the WebAssembly build, so the browser
//! and the server provably compute the same deadlines. Free of std-only facilities on purpose.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::calendar::Calendar;
use super::case_clock::{case_deadlines, CaseFacts};
use super::countdown::format_countdown;
use super::delivery::delivery_due;
use super::entitlement::entitlement_on;
use super::error::SlaError;
use super::hours::WeeklyHours;
use super::program::ProgramSet;
use super::targets::Target;

/// The vectors shipped with the engine.
pub const BUILTIN_VECTORS: &str = include_str!("test_vectors.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Vector {
    Case {
        name: String,
        #[serde(default)]
        seed: String,
        facts: CaseFacts,
        expect: Map<String, Value>,
    },
    Delivery {
        name: String,
        #[serde(default)]
        seed: String,
        program_id: String,
        plan_id: String,
        dispatched_at: DateTime<Utc>,
        tz: String,
        #[serde(default)]
        holidays: Vec<NaiveDate>,
        #[serde(default)]
        six_hour_radius: bool,
        expect: Map<String, Value>,
    },
    Entitlement {
        name: String,
        #[serde(default)]
        seed: String,
        program_id: String,
        contract_end: NaiveDate,
        on: NaiveDate,
        expect: Value,
    },
    Countdown {
        name: String,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        expect: String,
    },
    Calendar {
        name: String,
        tz: String,
        hours: WeeklyHours,
        #[serde(default)]
        holidays: Vec<NaiveDate>,
        start: DateTime<Utc>,
        add: Target,
        expect: DateTime<Utc>,
    },
}

/// Names a vector in a mismatch, with the seed sentence it checks when it has one.
fn label(name: &str, seed: &str) -> String {
    if seed.is_empty() {
        format!("`{name}`")
    } else {
        format!("`{name}` (seed: \"{seed}\")")
    }
}

fn same(expected: &Value, actual: &Value) -> bool {
    if let (Value::String(e), Value::String(a)) = (expected, actual) {
        if let (Ok(e), Ok(a)) = (
            DateTime::parse_from_rfc3339(e),
            DateTime::parse_from_rfc3339(a),
        ) {
            return e == a;
        }
    }
    expected == actual
}

fn compare(name: &str, expect: &Map<String, Value>, actual: &Value, out: &mut Vec<String>) {
    for (key, want) in expect {
        let got = actual.get(key).unwrap_or(&Value::Null);
        if !same(want, got) {
            out.push(format!("vector {name}: `{key}` expected {want}, got {got}"));
        }
    }
}

/// Evaluates every vector against the built-in programs; `Ok(count)` or every mismatch, one a line.
pub fn check_vectors(json: &str) -> Result<usize, String> {
    let file: VectorFile = serde_json::from_str(json).map_err(|e| format!("test vectors: {e}"))?;
    let programs = ProgramSet::builtin().map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    for v in &file.vectors {
        v.check(&programs, &mut failures);
    }
    if failures.is_empty() {
        Ok(file.vectors.len())
    } else {
        Err(failures.join("\n"))
    }
}

impl Vector {
    /// Adds this vector's mismatches to `failures`.
    fn check(&self, programs: &ProgramSet, failures: &mut Vec<String>) {
        match self {
            Vector::Case {
                name,
                seed,
                facts,
                expect,
            } => compare_result(
                &label(name, seed),
                expect,
                case_deadlines(programs, facts),
                failures,
            ),
            Vector::Delivery {
                name,
                program_id,
                plan_id,
                dispatched_at,
                tz,
                holidays,
                six_hour_radius,
                expect,
                seed,
            } => compare_result(
                &label(name, seed),
                expect,
                delivery_due(
                    programs,
                    program_id,
                    plan_id,
                    *dispatched_at,
                    tz,
                    holidays.clone(),
                    *six_hour_radius,
                ),
                failures,
            ),
            Vector::Entitlement {
                name,
                program_id,
                contract_end,
                on,
                expect,
                seed,
            } => match programs.get(program_id) {
                Some(p) => compare_value(
                    &label(name, seed),
                    expect,
                    entitlement_on(p, *contract_end, *on),
                    failures,
                ),
                None => failures.push(format!("vector `{name}`: unknown program `{program_id}`")),
            },
            Vector::Countdown {
                name,
                due,
                now,
                expect,
            } => check_countdown(name, format_countdown(*due, *now), expect, failures),
            Vector::Calendar {
                name,
                tz,
                hours,
                holidays,
                start,
                add,
                expect,
            } => {
                let got = Calendar::new(tz, hours.clone(), holidays.clone())
                    .and_then(|cal| add.due(&cal, *start));
                check_instant(name, *expect, got, failures);
            }
        }
    }
}

/// Compares a computed result, serialized, with the expected fields; an error is a mismatch.
fn compare_result<T: Serialize>(
    label: &str,
    expect: &Map<String, Value>,
    result: Result<T, SlaError>,
    out: &mut Vec<String>,
) {
    match result {
        Ok(d) => {
            let actual = serde_json::to_value(&d).unwrap_or(Value::Null);
            compare(label, expect, &actual, out);
        }
        Err(e) => out.push(format!("vector {label}: error {e}")),
    }
}

fn compare_value<T: Serialize>(label: &str, expect: &Value, value: T, out: &mut Vec<String>) {
    let actual = serde_json::to_value(value).unwrap_or(Value::Null);
    if !same(expect, &actual) {
        out.push(format!("vector {label}: expected {expect}, got {actual}"));
    }
}

fn check_countdown(name: &str, got: String, expect: &str, out: &mut Vec<String>) {
    if got != expect {
        out.push(format!("vector `{name}`: expected `{expect}`, got `{got}`"));
    }
}

fn check_instant(
    name: &str,
    expect: DateTime<Utc>,
    got: Result<DateTime<Utc>, SlaError>,
    out: &mut Vec<String>,
) {
    match got {
        Ok(t) if t == expect => {}
        Ok(t) => out.push(format!("vector `{name}`: expected {expect}, got {t}")),
        Err(e) => out.push(format!("vector `{name}`: error {e}")),
    }
}
