//! Support logs a case on a customer's behalf, the guides' intake: "When a customer brings the
//! issue to Pure Storage Support's attention over the phone, a Customer Support Specialist (CSS)
//! fields the call, performs basic analysis, and creates a case in our management and tracking
//! system." Only designated contacts may be the reporter ("Only these designated contacts can
//! call and receive assistance from Pure Storage Support."): a contact designated at the array's
//! site, or an admin of its organization.
//!
//! The case is the customer's own in every other way: `opened_by` is the reporter (their
//! notifications, their "opened by"), the clock starts when they reported it (`opened_at`), the
//! deadlines are the program's exactly as for a case opened on the web; the engineer is stored
//! as `logged_by` and is the opening entry's author ("Opened by phone by Sam Support for Carl
//! Caller"). Written with its audit entry `case.log` in one transaction.
use super::convert::parse_tz;
use super::deadlines::new_case_deadlines;
use super::open::{check_entitled, conversation_id, insert_case_with, CaseFields, Opening};
use super::queries::{self, next_case_number, CaseInsert};
use super::timeline::audit;
use crate::model::case::{
    case_number_label, CaseChannel, CaseCreated, LoggedCase, NewCase, REPORT_MAX_AGE_DAYS,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::require_staff;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::{new_id, now_ms};
use crate::server::input::parse_due;
use crate::sla::ProgramSet;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::json;
use sqlx::AnyPool;

/// The clock difference allowed between the engineer's clock (or the phone system's) and the
/// server's: a report a minute "in the future" is a clock, not a mistake.
const CLOCK_SKEW_MS: i64 = 2 * 60 * 1000;

/// The guides' reason for refusing a caller who is not a designated contact.
pub const NOT_DESIGNATED: &str = "Only designated contacts can call and receive assistance from \
    support: choose a contact designated at this array's site, or one of the organization's admins.";

/// The array a case is logged on, with what decides whether it may be.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct IntakeArray {
    pub id: String,
    pub organization_id: String,
    pub site_id: String,
    pub time_zone: String,
    pub program_id: String,
    pub contract_start: String,
    pub contract_end: String,
}

/// The person named as the reporter, as far as the organization is concerned.
#[derive(Debug, sqlx::FromRow)]
struct ReporterRow {
    id: String,
    name: String,
    phone: String,
    role: String,
    active: i64,
    /// Designations at the array's site (0 or 1).
    designated: i64,
}

/// Logs a case for a customer: support engineers only.
pub async fn log_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    input: &LoggedCase,
) -> Result<CaseCreated, AppError> {
    require_staff(user)?;
    let array = intake_array(pool, &input.organization_id, &input.case.array_id).await?;
    let reporter = designated_reporter(pool, &array, &input.reporter_id).await?;
    let channel: CaseChannel = input.channel.parse()?;
    let tz = parse_tz(&array.time_zone)?;
    let now = now_ms();
    let reported_at = reported_at(&input.reported_at, tz, now)?;
    check_contract(
        programs,
        &array,
        ms_to_dt(reported_at)?.with_timezone(&tz).date_naive(),
    )?;
    let fields = CaseFields::parse(&with_reporter_contact(&input.case, &reporter))?;
    let conversation = conversation_id(programs, &array.program_id, &input.case.conversation_id)?;
    let logged = Logged {
        array: &array,
        reporter: &reporter,
        channel,
        reported_at,
        fields: &fields,
        conversation_id: conversation.as_deref(),
    };
    write_logged(pool, programs, user, &logged, now).await
}

/// Everything checked about a logged case, for the writing transaction.
struct Logged<'a> {
    array: &'a IntakeArray,
    reporter: &'a ReporterRow,
    channel: CaseChannel,
    reported_at: i64,
    fields: &'a CaseFields,
    conversation_id: Option<&'a str>,
}

async fn write_logged(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    l: &Logged<'_>,
    now: i64,
) -> Result<CaseCreated, AppError> {
    let id = new_id();
    let f = l.fields;
    let mut tx = begin_write(pool).await?;
    let number = next_case_number(&mut tx).await?;
    let case = CaseInsert {
        id: &id,
        number,
        organization_id: &l.array.organization_id,
        site_id: &l.array.site_id,
        array_id: &l.array.id,
        opened_by: Some(&l.reporter.id),
        subject: f.subject.as_str(),
        description: &f.description,
        business_impact: &f.business_impact,
        severity: f.severity.get(),
        sev1_contact_name: f.contact_name.as_deref(),
        sev1_contact_phone: f.contact_phone.as_deref(),
        // The initial-response clock starts when the customer reported it.
        opened_at: l.reported_at,
        rca_parent_case_id: None,
        opened_from_alert: false,
    };
    let deadlines = new_case_deadlines(&mut tx, programs, &case).await?;
    let opening = Opening {
        channel: l.channel,
        logged_by: Some(&user.id),
        sentence: l.channel.opened_sentence(&user.name, &l.reporter.name),
    };
    insert_case_with(&mut tx, &case, Some(&deadlines), &opening).await?;
    if let Some(cid) = l.conversation_id {
        queries::set_conversation_id(&mut tx, &id, cid).await?;
    }
    let after = json!({
        "number": case_number_label(number),
        "array_id": l.array.id,
        "severity": f.severity.get(),
        "subject": f.subject.as_str(),
        "channel": l.channel.as_str(),
        "reporter_id": l.reporter.id,
        "reported_at": l.reported_at,
    });
    let org = Some(l.array.organization_id.as_str());
    audit(
        &mut tx,
        org,
        Some(&user.id),
        "case.log",
        &id,
        None,
        Some(after),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CaseCreated {
        id,
        number_label: case_number_label(number),
    })
}

/// The chosen organization's array. An unknown array and another organization's are both "not
/// found": support chose the organization, and an array that is not its own is a wrong link.
async fn intake_array(
    pool: &AnyPool,
    organization_id: &str,
    array_id: &str,
) -> Result<IntakeArray, AppError> {
    let organization_id = organization_id.trim();
    if organization_id.is_empty() {
        return Err(AppError::invalid(
            "organization_id",
            "Choose the customer's organization.",
        ));
    }
    let array_id = array_id.trim();
    if array_id.is_empty() {
        return Err(AppError::invalid("array_id", "Choose the affected array."));
    }
    let array: Option<IntakeArray> = sqlx::query_as(
        "SELECT a.id, s.organization_id, a.site_id, s.time_zone, a.program_id, \
                a.contract_start, a.contract_end \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(pool)
    .await?;
    array
        .filter(|a| a.organization_id == organization_id)
        .ok_or_else(|| AppError::NotFound("Array".into()))
}

/// The reporter, if they may call for this array: an active person of its organization who is
/// designated at its site or is an admin of the organization. Anyone else (unknown, another
/// organization's, a contact of another site, deactivated) gets the same refusal, which names
/// nobody.
async fn designated_reporter(
    pool: &AnyPool,
    array: &IntakeArray,
    reporter_id: &str,
) -> Result<ReporterRow, AppError> {
    let reporter_id = reporter_id.trim();
    if reporter_id.is_empty() {
        return Err(AppError::invalid(
            "reporter_id",
            "Choose the designated contact who reported it.",
        ));
    }
    let row: Option<ReporterRow> = sqlx::query_as(
        "SELECT u.id, u.name, u.phone, u.role, CASE WHEN u.active THEN 1 ELSE 0 END AS active, \
                (SELECT COUNT(*) FROM site_contacts c \
                 WHERE c.user_id = u.id AND c.site_id = $3) AS designated \
         FROM users u WHERE u.id = $1 AND u.organization_id = $2",
    )
    .bind(reporter_id)
    .bind(&array.organization_id)
    .bind(&array.site_id)
    .fetch_optional(pool)
    .await?;
    row.filter(|r| r.active == 1 && (r.designated > 0 || r.role == "admin"))
        .ok_or_else(|| AppError::invalid("reporter_id", NOT_DESIGNATED))
}

/// When the customer reported it, in milliseconds: a local date and time at the site, or an
/// RFC 3339 instant; empty is now. Not in the future (beyond clock skew), not more than
/// `REPORT_MAX_AGE_DAYS` back.
fn reported_at(text: &str, tz: Tz, now: i64) -> Result<i64, AppError> {
    if text.trim().is_empty() {
        return Ok(now);
    }
    let at = parse_due(text, tz)
        .map_err(|e| match e {
            AppError::Invalid { message, .. } => AppError::invalid("reported_at", message),
            other => other,
        })?
        .timestamp_millis();
    if at > now + CLOCK_SKEW_MS {
        return Err(AppError::invalid(
            "reported_at",
            "That time is in the future: enter when the customer reported it, in the site's \
             local time.",
        ));
    }
    if at < now - REPORT_MAX_AGE_DAYS * 24 * 60 * 60 * 1000 {
        return Err(AppError::invalid(
            "reported_at",
            format!(
                "Log a report within {REPORT_MAX_AGE_DAYS} days of it: for an older one, log it \
                 as reported now and say in the description when it first came in."
            ),
        ));
    }
    Ok(at)
}

/// The report's day (at the site) must be one the array's support covered: on or after its
/// contract's start, and while support was active.
fn check_contract(
    programs: &ProgramSet,
    array: &IntakeArray,
    day: NaiveDate,
) -> Result<(), AppError> {
    if let Some(start) = stored_start(&array.contract_start)? {
        if day < start {
            return Err(AppError::invalid(
                "reported_at",
                format!(
                    "Support for this array began on {start}: a report before then cannot \
                     start its clock."
                ),
            ));
        }
    }
    check_entitled(programs, &array.program_id, &array.contract_end, day)
}

/// The contract's start as stored ('' for an array onboarded without one).
fn stored_start(d: &str) -> Result<Option<NaiveDate>, AppError> {
    if d.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Internal(format!("stored contract start {d:?}")))
}

/// The form's case, with a Severity 1 contact defaulting to the reporter (who is on the phone,
/// and designated).
fn with_reporter_contact(case: &NewCase, reporter: &ReporterRow) -> NewCase {
    let mut case = case.clone();
    if case.severity == 1 {
        if case.sev1_contact_name.trim().is_empty() {
            case.sev1_contact_name = reporter.name.clone();
        }
        if case.sev1_contact_phone.trim().is_empty() {
            case.sev1_contact_phone = reporter.phone.clone();
        }
    }
    case
}
