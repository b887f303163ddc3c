//! `portal sla …`: the engine from the command line, for support staff and scripts.
use crate::sla::{
    case_deadlines, delivery_due, CaseFacts, ProductLine, ProgramSet, Severity, SlaError,
};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use std::fmt::Write as _;

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// List the support programs, their plans and severity targets.
    Programs,
    /// Deadlines of a case opened at a given time.
    Due(DueArgs),
    /// Committed delivery time of a hardware dispatch.
    Delivery(DeliveryArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Product {
    Array,
    Portworx,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    #[arg(long)]
    pub program: String,
    /// The plan; may be left out when the program has only one.
    #[arg(long)]
    pub plan: Option<String>,
    /// The site has Business Critical Support (the "BCS and Evergreen//One" column).
    #[arg(long)]
    pub bcs: bool,
    #[arg(long, value_enum, default_value = "array")]
    pub product: Product,
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub severity: u8,
    /// Opening time, RFC 3339 (e.g. 2026-11-27T16:30:00-05:00).
    #[arg(long)]
    pub opened: DateTime<chrono::FixedOffset>,
    /// The site's IANA time zone.
    #[arg(long)]
    pub tz: String,
    /// A site holiday (local date); repeat for several.
    #[arg(long = "holiday")]
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct DeliveryArgs {
    #[arg(long)]
    pub program: String,
    /// The plan; may be left out when the program has only one.
    #[arg(long)]
    pub plan: Option<String>,
    /// Dispatch time, RFC 3339.
    #[arg(long)]
    pub dispatched: DateTime<chrono::FixedOffset>,
    #[arg(long)]
    pub tz: String,
    /// The site has no warehouse within a four-hour drive.
    #[arg(long)]
    pub six_hour_radius: bool,
    #[arg(long = "holiday")]
    pub holidays: Vec<NaiveDate>,
}

/// What `portal sla` refuses; every one is a usage error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SlaCliError {
    #[error(transparent)]
    Sla(#[from] SlaError),
    #[error("program `{program}` has several plans: choose one with --plan ({plans})")]
    PlanRequired { program: String, plans: String },
}

/// The plan asked for, or the program's only plan when none was given.
fn plan_of(
    programs: &ProgramSet,
    program: &str,
    plan: Option<&str>,
) -> Result<String, SlaCliError> {
    if let Some(p) = plan {
        return Ok(p.to_string());
    }
    let plans: Vec<&str> = programs
        .program(program)?
        .plans
        .iter()
        .map(|pl| pl.id.as_str())
        .collect();
    match plans.as_slice() {
        [only] => Ok(only.to_string()),
        _ => Err(SlaCliError::PlanRequired {
            program: program.to_string(),
            plans: plans.join(", "),
        }),
    }
}

/// Runs a subcommand and returns what to print.
pub fn run(programs: &ProgramSet, cmd: &SlaCommand) -> Result<String, SlaCliError> {
    match cmd {
        SlaCommand::Programs => Ok(describe_programs(programs)),
        SlaCommand::Due(a) => {
            let plan = plan_of(programs, &a.program, a.plan.as_deref())?;
            let mut facts = CaseFacts::opened(
                &a.program,
                &plan,
                &a.tz,
                a.opened.with_timezone(&Utc),
                Severity::new(a.severity)?,
            );
            facts.bcs = a.bcs;
            facts.product = match a.product {
                Product::Array => ProductLine::Array,
                Product::Portworx => ProductLine::Portworx,
            };
            facts.holidays = a.holidays.clone();
            let d = case_deadlines(programs, &facts)?;
            Ok(pretty(&d))
        }
        SlaCommand::Delivery(a) => {
            let plan = plan_of(programs, &a.program, a.plan.as_deref())?;
            let d = delivery_due(
                programs,
                &a.program,
                &plan,
                a.dispatched.with_timezone(&Utc),
                &a.tz,
                a.holidays.clone(),
                a.six_hour_radius,
            )?;
            let mut v = serde_json::to_value(&d).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                // The documented name of the field, next to the engine's own.
                o.insert(
                    "delivery_due".into(),
                    serde_json::to_value(d.due).unwrap_or_default(),
                );
            }
            Ok(pretty(&v))
        }
    }
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn describe_programs(programs: &ProgramSet) -> String {
    let mut out = String::new();
    for p in programs.iter() {
        let _ = writeln!(out, "{} — {}", p.id, p.name);
        let _ = writeln!(out, "  source: {}", p.source_document);
        let _ = writeln!(out, "  business hours: {}", p.business_hours.interpretation);
        let plans: Vec<_> = p.plans.iter().map(|pl| pl.id.as_str()).collect();
        let _ = writeln!(out, "  plans: {}", plans.join(", "));
        for t in &p.severity_tables {
            let products: Vec<_> = t.products.iter().map(|x| x.as_str()).collect();
            let _ = writeln!(out, "  table {} ({}):", t.name, products.join(", "));
            for row in &t.rows {
                let responses: Vec<String> = row
                    .initial_response
                    .iter()
                    .map(|c| {
                        let col = c.entitlement.map(|e| e.label()).unwrap_or("all");
                        let target = c
                            .target
                            .as_ref()
                            .map(|t| t.describe())
                            .unwrap_or_else(|| "no target".into());
                        format!("{col}: {target}")
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "    Severity {} {}: initial response {}; updates: {}",
                    row.severity.get(),
                    row.name,
                    responses.join(" / "),
                    row.update.interpretation
                );
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(subcommand)]
        cmd: SlaCommand,
    }

    fn run_args(args: &[&str]) -> Result<String, SlaCliError> {
        let t = T::try_parse_from(std::iter::once("sla").chain(args.iter().copied()))
            .expect("arguments parse");
        run(&ProgramSet::builtin().expect("builtin programs"), &t.cmd)
    }

    #[test]
    fn due_prints_the_documented_fields() {
        // "Severity 3 ... 1 Business Hour" (000_…): Friday 16:30 in Boston is due Monday 08:30.
        let out = run_args(&[
            "due",
            "--program",
            "storage-classic",
            "--plan",
            "basic",
            "--severity",
            "3",
            "--opened",
            "2026-11-27T16:30:00-05:00",
            "--tz",
            "America/New_York",
        ])
        .expect("due");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["initial_response_due"], "2026-11-30T13:30:00Z");
        assert!(v.get("next_update_due").is_some() && v.get("restoration_due").is_some());
        assert!(v["explanation"].as_array().is_some_and(|a| !a.is_empty()));
    }

    #[test]
    fn unknown_program_is_an_error() {
        let r = run_args(&[
            "due",
            "--program",
            "nope",
            "--plan",
            "basic",
            "--severity",
            "1",
            "--opened",
            "2026-11-27T16:30:00Z",
            "--tz",
            "UTC",
        ]);
        assert!(r.is_err());
    }

    #[test]
    fn bad_severity_is_refused_by_the_parser() {
        let r = T::try_parse_from([
            "sla",
            "due",
            "--program",
            "storage-classic",
            "--plan",
            "basic",
            "--severity",
            "7",
            "--opened",
            "2026-11-27T16:30:00Z",
            "--tz",
            "UTC",
        ]);
        assert_eq!(r.err().map(|e| e.exit_code()), Some(2));
    }

    #[test]
    fn a_program_with_one_plan_needs_no_plan() {
        // Issue #16: `--plan` was required although contact-center has one plan.
        let programs = ProgramSet::builtin().expect("builtin");
        let plans = &programs.program("contact-center").expect("cc").plans;
        assert_eq!(
            plans.len(),
            1,
            "the fixture assumes contact-center has one plan"
        );
        let without = run_args(&[
            "due",
            "--program",
            "contact-center",
            "--severity",
            "3",
            "--opened",
            "2026-11-27T16:30:00Z",
            "--tz",
            "UTC",
        ])
        .expect("due without --plan");
        let with = run_args(&[
            "due",
            "--program",
            "contact-center",
            "--plan",
            &plans[0].id,
            "--severity",
            "3",
            "--opened",
            "2026-11-27T16:30:00Z",
            "--tz",
            "UTC",
        ])
        .expect("due with --plan");
        assert_eq!(without, with);
    }

    #[test]
    fn a_missing_plan_of_a_program_with_several_names_them() {
        let err = run_args(&[
            "due",
            "--program",
            "storage-classic",
            "--severity",
            "3",
            "--opened",
            "2026-11-27T16:30:00Z",
            "--tz",
            "UTC",
        ])
        .expect_err("storage-classic has several plans");
        let msg = err.to_string();
        let programs = ProgramSet::builtin().expect("builtin");
        for plan in &programs.program("storage-classic").expect("program").plans {
            assert!(msg.contains(&plan.id), "{msg}");
        }
        assert!(msg.contains("--plan"), "{msg}");
    }

    #[test]
    fn programs_lists_all_three() {
        let out = run_args(&["programs"]).expect("programs");
        for id in ["storage-classic", "storage-7.1.3", "contact-center"] {
            assert!(out.contains(id), "{out}");
        }
    }
}
