//! Opening a case: the customer's form checked (the array first: it decides the site, the
//! program and whether support is active), then the case, its 'opened' entry and its cached
//! deadlines written once, with the audit entry, in one transaction.
use super::convert::{contract_end, parse_tz, sla_error};
use super::deadlines::{cached_columns, new_case_deadlines, Computed};
use super::queries::{self, next_case_number, CaseInsert};
use super::timeline::{audit, write_event, NewEvent};
use crate::model::case::{
    case_number_label, CaseChannel, CaseCreated, CaseEventKind, NewCase, BODY_MAX, CONTACT_MAX,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::customer_org;
use crate::server::db::begin_write;
use crate::server::ids::{new_id, now_ms};
use crate::server::input::{check_severity, optional_text, required_text, Phone, Subject};
use crate::server::site_access::require_act_at;
use crate::sla::{self, EntitlementState, ProgramSet, Severity};
use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// How a new case came in: its channel and, for a case support logged on a customer's behalf
/// (`intake`), the engineer who logged it and the opening entry's sentence ("Opened by phone by
/// Sam Support for Carl Caller"; empty for a case the customer opened).
pub(crate) struct Opening<'a> {
    pub channel: CaseChannel,
    pub logged_by: Option<&'a str>,
    pub sentence: String,
}

impl Opening<'_> {
    /// A case the customer opened on the web, or the alert ingest API from an alert.
    pub(crate) fn of(c: &CaseInsert<'_>) -> Opening<'static> {
        let channel = if c.opened_from_alert {
            CaseChannel::MonitoringAlert
        } else {
            CaseChannel::Web
        };
        Opening {
            channel,
            logged_by: None,
            sentence: String::new(),
        }
    }
}

pub(crate) async fn insert_case(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
) -> Result<(), AppError> {
    insert_case_with(conn, c, None, &Opening::of(c)).await
}

/// `insert_case`, with the cached deadlines `new_case_deadlines` computed for it (the caller
/// then needs no `refresh`), or without (the caller refreshes).
pub(crate) async fn insert_case_with(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
    deadlines: Option<&Computed>,
    opening: &Opening<'_>,
) -> Result<(), AppError> {
    let cached = deadlines.map(cached_columns).unwrap_or_default();
    queries::insert_case_row(conn, c, cached, opening).await?;
    // The case is new: its 'opened' entry is the first, and the notification needs nothing of
    // the case that is not here.
    let facts = (
        c.number,
        c.organization_id.to_string(),
        c.site_id.to_string(),
        c.subject.to_string(),
        c.opened_by.map(str::to_string),
        i64::from(c.opened_from_alert),
        c.rca_parent_case_id.map(str::to_string),
    );
    // The entry's author is whoever wrote the case down: the engineer who logged it (so the
    // reporter, its opener, is told of it like of any case), else the opener.
    let author = opening.logged_by.or(c.opened_by);
    let entry = NewEvent::new(CaseEventKind::Opened, author, &opening.sentence)
        .change("", c.severity.to_string());
    write_event(conn, c.id, 1, c.opened_at, entry, Some(&facts)).await?;
    Ok(())
}

/// Opens a case for the caller's organization.
pub async fn create_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    input: &NewCase,
) -> Result<CaseCreated, AppError> {
    let org = customer_org(user)?;
    // The array decides the site, the program and whether support is active.
    let array_id = input.array_id.trim();
    let (site_id, program_id) =
        entitled_site(pool, programs, user, org, array_id, input.site_id.trim()).await?;
    let fields = CaseFields::parse(input)?;
    let conversation_id = conversation_id(programs, &program_id, &input.conversation_id)?;
    let now = now_ms();
    let id = new_id();
    let mut tx = begin_write(pool).await?;
    let number = next_case_number(&mut tx).await?;
    let case = CaseInsert {
        id: &id,
        number,
        organization_id: org,
        site_id: &site_id,
        array_id,
        opened_by: Some(&user.id),
        subject: fields.subject.as_str(),
        description: &fields.description,
        business_impact: &fields.business_impact,
        severity: fields.severity.get(),
        sev1_contact_name: fields.contact_name.as_deref(),
        sev1_contact_phone: fields.contact_phone.as_deref(),
        opened_at: now,
        rca_parent_case_id: None,
        opened_from_alert: false,
    };
    // Deadlines computed before the row is written, so that it is written once.
    let deadlines = new_case_deadlines(&mut tx, programs, &case).await?;
    insert_case_with(&mut tx, &case, Some(&deadlines), &Opening::of(&case)).await?;
    if let Some(cid) = &conversation_id {
        queries::set_conversation_id(&mut tx, &id, cid).await?;
    }
    audit(
        &mut tx,
        Some(org),
        Some(&user.id),
        "case.open",
        &id,
        None,
        Some(json!({
            "number": case_number_label(number),
            "array_id": array_id,
            "severity": fields.severity.get(),
            "subject": fields.subject.as_str(),
        })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CaseCreated {
        id,
        number_label: case_number_label(number),
    })
}

/// The contact center's conversation ID (002: "Gather the following: … Conversation ID"):
/// optional; where given, a UUID (the form PureCloud shows it in) and only on a program that
/// asks for one, so a storage case never carries a stray number support would look up in vain.
pub(super) fn conversation_id(
    programs: &ProgramSet,
    program_id: &str,
    given: &str,
) -> Result<Option<String>, AppError> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(None);
    }
    let asks = programs
        .get(program_id)
        .and_then(|p| p.contact.as_ref())
        .is_some_and(|c| c.asks_conversation_id);
    if !asks {
        return Err(AppError::invalid(
            "conversation_id",
            "Only contact-center cases carry a conversation ID: leave it empty for this array.",
        ));
    }
    let id = uuid::Uuid::try_parse(given).map_err(|_| {
        AppError::invalid(
            "conversation_id",
            "A conversation ID looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427 (32 hexadecimal \
             digits in five groups).",
        )
    })?;
    Ok(Some(id.hyphenated().to_string()))
}

/// The site and program of the organization's array `array_id`, if the user may act there and
/// support for it is active today (in the site's time zone). `site_id`, when the form chose one, must be the array's.
async fn entitled_site(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    org: &str,
    array_id: &str,
    site_id: &str,
) -> Result<(String, String), AppError> {
    if array_id.is_empty() {
        return Err(AppError::invalid("array_id", "Choose the affected array."));
    }
    let array = queries::case_array(pool, array_id).await?;
    // Same answer for an unknown array and another organization's: nothing about other
    // customers leaks.
    let Some(array) = array.filter(|a| a.organization_id == org) else {
        return Err(AppError::invalid(
            "array_id",
            "Choose one of your organization's arrays.",
        ));
    };
    if !site_id.is_empty() && site_id != array.site_id {
        return Err(AppError::invalid(
            "array_id",
            "This array is not at the chosen site.",
        ));
    }
    // Designation is per site: a contact opens cases only for the arrays of their sites.
    require_act_at(&mut *pool.acquire().await?, user, &array.site_id).await?;
    let tz = parse_tz(&array.time_zone)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    check_entitled(programs, &array.program_id, &array.contract_end, today)?;
    Ok((array.site_id, array.program_id))
}

/// Refuses (by the array field) an array whose support is not active on `day`, its site's
/// date, saying how to reinstate it.
pub(super) fn check_entitled(
    programs: &ProgramSet,
    program_id: &str,
    stored_contract_end: &str,
    day: NaiveDate,
) -> Result<(), AppError> {
    let program = programs.program(program_id).map_err(sla_error)?;
    let end = contract_end(stored_contract_end)?;
    let entitlement = sla::entitlement_on(program, end, day);
    if entitlement != EntitlementState::Active {
        return Err(AppError::invalid(
            "array_id",
            reinstatement_message(end, &entitlement)
                .unwrap_or_else(|| "Support for this array is not active.".into()),
        ));
    }
    Ok(())
}

/// The form's fields, checked in the order the form shows them.
pub(super) struct CaseFields {
    pub severity: Severity,
    pub subject: Subject,
    pub description: String,
    pub business_impact: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

impl CaseFields {
    pub(super) fn parse(input: &NewCase) -> Result<CaseFields, AppError> {
        let severity = check_severity("severity", input.severity)?;
        let subject = Subject::parse(&input.subject)?;
        let description = required_text(
            "description",
            &input.description,
            BODY_MAX,
            "a description of the problem",
        )?;
        let business_impact = optional_text("business_impact", &input.business_impact, BODY_MAX)?;
        let (contact_name, contact_phone) = sev1_contact(severity, input)?;
        Ok(CaseFields {
            severity,
            subject,
            description,
            business_impact,
            contact_name,
            contact_phone,
        })
    }
}

/// Severity 1 needs a contact reachable at all times; below it the contact is optional.
fn sev1_contact(
    severity: Severity,
    input: &NewCase,
) -> Result<(Option<String>, Option<String>), AppError> {
    if severity.get() == 1 {
        return Ok((
            Some(required_text(
                "sev1_contact_name",
                &input.sev1_contact_name,
                CONTACT_MAX,
                "the name of a contact available at all times",
            )?),
            Some(Phone::parse(&input.sev1_contact_phone)?.into()),
        ));
    }
    let n = optional_text("sev1_contact_name", &input.sev1_contact_name, CONTACT_MAX)?;
    let p = optional_text("sev1_contact_phone", &input.sev1_contact_phone, CONTACT_MAX)?;
    Ok((
        Some(n).filter(|s| !s.is_empty()),
        Some(p).filter(|s| !s.is_empty()),
    ))
}

/// How to get support back for a lapsed array, or why it cannot be.
pub fn reinstatement_message(contract_end: NaiveDate, state: &EntitlementState) -> Option<String> {
    match state {
        EntitlementState::Active => None,
        EntitlementState::Lapsed {
            reinstatable_until,
            fees_waivable_until,
        } => {
            let mut m = format!(
                "Support for this array ended on {contract_end}. Contact your account team to \
                 reinstate it"
            );
            if let Some(u) = reinstatable_until {
                m.push_str(&format!(" (possible until {u})"));
            }
            m.push('.');
            if let Some(f) = fees_waivable_until {
                m.push_str(&format!(
                    " Reinstatement fees may be waived if you do so by {f}."
                ));
            }
            m.push_str(" Until then, cases cannot be opened for it.");
            Some(m)
        }
        EntitlementState::Expired => Some(format!(
            "Support for this array ended on {contract_end}. Reinstating it now is at the \
             vendor's discretion and may be refused: contact your account team about reinstatement \
             or a new support contract. Until then, cases cannot be opened for it."
        )),
    }
}
