//! Rules the schema cannot express, checked once when a program file is read. Each check returns
//! the offending field's path and what is wrong with it.

use super::{
    ColumnTarget, DeliveryKind, DeliveryRule, Entitlement, Plan, Program, SeverityRow,
    SeverityTable,
};
use crate::targets::{Basis, Target, Unit};

/// (field path, message) of the first rule broken.
type Checked = Result<(), (String, String)>;

fn err(f: String, m: &str) -> Checked {
    Err((f, m.to_string()))
}

impl Program {
    /// Rules the schema cannot express. Returns (field path, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.check_names()?;
        self.business_hours
            .hours
            .validate()
            .map_err(|(f, m)| (format!("business_hours.hours{f}"), m))?;
        self.check_plans()?;
        if self.severity_tables.is_empty() {
            return err("severity_tables".into(), "must list at least one table");
        }
        for ti in 0..self.severity_tables.len() {
            self.check_table(ti)?;
        }
        self.check_case_rules()
    }

    fn check_names(&self) -> Checked {
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            return err(
                "id".into(),
                "must be non-empty lowercase letters, digits, `-` or `.`",
            );
        }
        if self.name.trim().is_empty() {
            return err("name".into(), "must not be empty");
        }
        Ok(())
    }

    fn check_plans(&self) -> Checked {
        if self.plans.is_empty() {
            return err("plans".into(), "must list at least one plan");
        }
        for (i, p) in self.plans.iter().enumerate() {
            if p.id.is_empty() {
                return err(format!("plans[{i}].id"), "must not be empty");
            }
            if self.plans[..i].iter().any(|q| q.id == p.id) {
                return err(
                    format!("plans[{i}].id"),
                    &format!("`{}` is listed twice", p.id),
                );
            }
            if let Some(d) = &p.delivery {
                check_delivery(d, format!("plans[{i}].delivery"))?;
            }
            check_package(p, format!("plans[{i}].package"))?;
        }
        Ok(())
    }

    fn check_table(&self, ti: usize) -> Checked {
        let t = &self.severity_tables[ti];
        let tf = format!("severity_tables[{ti}]");
        for (pi, prod) in t.products.iter().enumerate() {
            let clash = self.severity_tables[..ti]
                .iter()
                .any(|o| o.products.contains(prod))
                || t.products[..pi].contains(prod);
            if clash {
                return err(
                    format!("{tf}.products"),
                    &format!("product line `{}` is served by two tables", prod.as_str()),
                );
            }
        }
        for sev in 1..=4u8 {
            let n = t.rows.iter().filter(|r| r.severity.get() == sev).count();
            if n != 1 {
                return err(
                    format!("{tf}.rows"),
                    &format!("must have exactly one row for severity {sev}, found {n}"),
                );
            }
        }
        for (ri, r) in t.rows.iter().enumerate() {
            self.check_row(t, r, format!("{tf}.rows[{ri}]"))?;
        }
        Ok(())
    }

    fn check_row(&self, t: &SeverityTable, r: &SeverityRow, rf: String) -> Checked {
        if r.initial_response.is_empty() {
            return err(format!("{rf}.initial_response"), "must not be empty");
        }
        let single = r.initial_response.iter().any(|c| c.entitlement.is_none());
        if single && r.initial_response.len() != 1 {
            return err(
                format!("{rf}.initial_response"),
                "a column without entitlement must be the only column",
            );
        }
        check_columns(&r.initial_response, &rf)?;
        if !single {
            for (pi, p) in self.plans.iter().enumerate() {
                check_plan_has_column(t, r, &rf, pi, p)?;
            }
        }
        check_target(r.update.cadence.as_ref(), format!("{rf}.update.cadence"))?;
        if let Some(rest) = &r.restoration {
            check_target(rest.target.as_ref(), format!("{rf}.restoration.target"))?;
        }
        Ok(())
    }

    /// Stale case, Resolution Proposed, RCA and reinstatement.
    fn check_case_rules(&self) -> Checked {
        if let Some(s) = &self.stale_case {
            check_target(Some(&s.notice_after), "stale_case.notice_after".into())?;
            check_target(
                Some(&s.close_after_notice),
                "stale_case.close_after_notice".into(),
            )?;
        }
        if let Some(r) = &self.resolution_proposed_auto_close {
            if r.business_days == 0 {
                return err(
                    "resolution_proposed_auto_close.business_days".into(),
                    "must be positive",
                );
            }
        }
        if let Some(r) = &self.rca {
            check_target(Some(&r.due), "rca.due".into())?;
        }
        if let Some(c) = &self.contact {
            c.validate()?;
        }
        if let Some(e) = &self.escalation_ack {
            e.validate()?;
            for (i, t) in e.targets.iter().enumerate() {
                check_target(
                    Some(&t.target),
                    format!("escalation_ack.targets[{i}].target"),
                )?;
            }
        }
        if let Some(r) = &self.reinstatement {
            if r.limit_months == Some(0) {
                return err(
                    "reinstatement.limit_months".into(),
                    "must be positive or null",
                );
            }
        }
        Ok(())
    }
}

fn check_delivery(d: &DeliveryRule, f: String) -> Checked {
    match d.kind {
        DeliveryKind::NextBusinessDay if d.cutoff.is_none() => {
            return err(format!("{f}.cutoff"), "is required for next_business_day");
        }
        DeliveryKind::Hours if d.hours.unwrap_or(0) == 0 => {
            return err(format!("{f}.hours"), "must be a positive number for hours");
        }
        _ => {}
    }
    if d.six_hour_radius_hours == Some(0) {
        return err(format!("{f}.six_hour_radius_hours"), "must be positive");
    }
    Ok(())
}

/// Each entitlement column once, each target sane.
fn check_columns(columns: &[ColumnTarget], rf: &str) -> Checked {
    for (ci, c) in columns.iter().enumerate() {
        if columns[..ci].iter().any(|o| o.entitlement == c.entitlement) {
            return err(
                format!("{rf}.initial_response[{ci}].entitlement"),
                "listed twice",
            );
        }
        check_target(
            c.target.as_ref(),
            format!("{rf}.initial_response[{ci}].target"),
        )?;
    }
    Ok(())
}

/// In a table with entitlement columns, every column a plan can read exists.
fn check_plan_has_column(
    t: &SeverityTable,
    r: &SeverityRow,
    rf: &str,
    pi: usize,
    p: &Plan,
) -> Checked {
    let mut needed = vec![p.entitlement];
    if p.bcs_column_with_flag {
        needed.push(Some(Entitlement::Bcs));
    }
    for e in needed {
        let Some(e) = e else {
            return err(
                format!("plans[{pi}].entitlement"),
                &format!("is required: table `{}` has entitlement columns", t.id),
            );
        };
        if !r.initial_response.iter().any(|c| c.entitlement == Some(e)) {
            return err(
                format!("{rf}.initial_response"),
                &format!("has no `{e:?}` column, used by plan `{}`", p.id),
            );
        }
    }
    Ok(())
}

fn check_target(t: Option<&Target>, field: String) -> Checked {
    match t {
        Some(t) if t.amount == 0 => Err((format!("{field}.amount"), "must be positive".into())),
        Some(Target {
            unit: Unit::Days,
            basis: Basis::Business,
            amount,
        }) if *amount > 365 => Err((
            format!("{field}.amount"),
            "more than 365 business days".into(),
        )),
        _ => Ok(()),
    }
}

/// Each feature once, each cell and its document words non-empty.
fn check_package(plan: &Plan, f: String) -> Checked {
    for (i, item) in plan.package.iter().enumerate() {
        if plan.package[..i].iter().any(|o| o.feature == item.feature) {
            return err(format!("{f}[{i}].feature"), "is listed twice");
        }
        if item.included.trim().is_empty() {
            return err(format!("{f}[{i}].included"), "must not be empty");
        }
        if item.document_words.trim().is_empty() {
            return err(format!("{f}[{i}].document_words"), "must not be empty");
        }
    }
    Ok(())
}
