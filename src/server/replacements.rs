//! Hardware replacements: support creates one on a case and moves it through its stages; the
//! customer confirms site access, proposes the technician's window and returns the part; admins
//! keep each site's logistics. Every change is one transaction holding its audit entry and the
//! case's timeline event.
//!
//! Stage moves are conditional updates (`WHERE stage = <the stage before>`) and each is its
//! transaction's first statement: on SQLite that takes the write lock before any read, on
//! PostgreSQL the row lock, so two engineers (or two app instances) never both move one
//! replacement, and a move out of order ("delivered" before "shipped") changes nothing.
use crate::model::case::{case_number_label, CaseEventKind, CaseStatus};
use crate::model::replacement::{
    and_list, ArrayChoice, CaseReplacements, DeliveryState, LateDeliveries, LogisticsFields,
    PartType, Replacement, ReplacementCase, ReplacementsOverview, ReturnMethod, SiteLogistics,
    Stage, CODE_MAX, QUANTITY_MAX, RETURN_DAYS, TEXT_MAX,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::auth::map_db;
// Stages are support's to move: customers never change them (`require_staff`).
use crate::server::cases::{
    can_see, insert_event, load_case, optional_text, require_staff, required_text, site_holidays,
    NewEvent,
};
use crate::server::db::{col, ms_to_dt};
use crate::server::ids::{new_id, now_ms};
use crate::sla::explain::fmt_local;
use crate::sla::{delivery_due, DeliveryDue, DeliveryKind, ProgramSet, SlaError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};

const DAY_MS: i64 = 86_400_000;
/// Finished replacements shown on the page.
const FINISHED_LIMIT: usize = 50;

fn not_found() -> AppError {
    AppError::NotFound("Replacement".into())
}

// ---- Who may do what ----

/// The organization filter for reads: "" (everything) for staff, the contact's organization.
fn org_filter(user: &CurrentUser) -> Result<String, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::SupportEngineer, _) => Ok(String::new()),
        (_, Some(org)) => Ok(org.to_string()),
        _ => Err(AppError::Forbidden),
    }
}

/// Any designated contact of the organization speaks for its sites.
fn is_contact_of(user: &CurrentUser, organization_id: &str) -> bool {
    !user.role.is_staff() && user.organization_id.as_deref() == Some(organization_id)
}

/// Site logistics are the organization's admins' to keep.
fn is_admin_of(user: &CurrentUser, organization_id: &str) -> bool {
    user.role == Role::Admin && user.organization_id.as_deref() == Some(organization_id)
}

// ---- Small conversions and checks ----

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

fn opt_dt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, AppError> {
    ms.map(ms_to_dt).transpose()
}

fn local(ms: i64, tz: &str) -> Result<String, AppError> {
    Ok(fmt_local(ms_to_dt(ms)?, zone(tz)))
}

fn local_day(ms: i64, tz: &str) -> Result<String, AppError> {
    Ok(ms_to_dt(ms)?
        .with_timezone(&zone(tz))
        .format("%a %-d %b %Y")
        .to_string())
}

/// A `datetime-local` value read in the site's zone (or RFC 3339), for the named field.
fn site_time(field: &str, value: &str, tz: &str) -> Result<DateTime<Utc>, AppError> {
    crate::server::cases::parse_due(value, zone(tz)).map_err(|e| match e {
        AppError::Invalid { message, .. } => AppError::invalid(field, message),
        other => other,
    })
}

/// A visit window: both ends at the site, the end after the start.
fn window(start: &str, end: &str, tz: &str) -> Result<(i64, i64), AppError> {
    let s = site_time("window_start", start, tz)?;
    let e = site_time("window_end", end, tz)?;
    if e <= s {
        return Err(AppError::invalid(
            "window_end",
            "The window must end after it starts.",
        ));
    }
    Ok((s.timestamp_millis(), e.timestamp_millis()))
}

fn sla_error(e: SlaError) -> AppError {
    match e {
        SlaError::NoDeliveryRule { .. } => AppError::invalid(
            "array_id",
            "This array's support plan includes no hardware replacement.",
        ),
        other => {
            tracing::error!(error = %other, "SLA engine error");
            AppError::Internal(format!("delivery due: {other}"))
        }
    }
}

// ---- Rows ----

#[derive(Debug, Clone)]
struct Row {
    id: String,
    organization_id: String,
    organization_name: String,
    case_id: String,
    case_number: i64,
    case_subject: String,
    array_name: String,
    site_id: String,
    site_name: String,
    time_zone: String,
    part_type: PartType,
    part_number: String,
    quantity: i64,
    description: String,
    technician: bool,
    return_method: ReturnMethod,
    retention: bool,
    stage: Stage,
    created_by_name: String,
    diagnosed_at: i64,
    dispatched_at: Option<i64>,
    delivery_json: Option<String>,
    delivery_due_at: Option<i64>,
    carrier: Option<String>,
    tracking_number: Option<String>,
    shipped_at: Option<i64>,
    delivered_at: Option<i64>,
    proposed: Option<(i64, i64)>,
    window: Option<(i64, i64)>,
    scheduled_at: Option<i64>,
    installed_at: Option<i64>,
    access_confirmed_at: Option<i64>,
    access_confirmed_by: Option<String>,
    return_due_at: Option<i64>,
    closed_at: Option<i64>,
    cancelled_at: Option<i64>,
    cancel_reason: Option<String>,
    logistics: LogisticsFields,
}

impl Row {
    fn title(&self) -> String {
        let mut t = format!("{} {}", self.part_type.label(), self.part_number);
        if self.quantity > 1 {
            t.push_str(&format!(" × {}", self.quantity));
        }
        t
    }
}

const SELECT: &str = "SELECT r.id, r.organization_id, o.name AS organization_name, r.case_id, \
        c.number AS case_number, c.subject AS case_subject, a.name AS array_name, r.site_id, \
        s.name AS site_name, s.time_zone, r.part_type, r.part_number, r.quantity, r.description, \
        CASE WHEN r.technician_required THEN 1 ELSE 0 END AS technician_required, \
        r.return_method, CASE WHEN r.drive_retention THEN 1 ELSE 0 END AS drive_retention, \
        r.stage, u.name AS created_by_name, r.diagnosed_at, r.dispatched_at, r.delivery_json, \
        r.delivery_due_at, r.carrier, r.tracking_number, r.shipped_at, r.delivered_at, \
        r.proposed_window_start, r.proposed_window_end, r.window_start, r.window_end, \
        r.scheduled_at, r.installed_at, r.access_confirmed_at, ac.name AS access_confirmed_by, \
        r.return_due_at, r.closed_at, r.cancelled_at, r.cancel_reason, \
        COALESCE(l.datacenter_address, '') AS datacenter_address, \
        COALESCE(l.grid_coordinates, '') AS grid_coordinates, \
        COALESCE(l.access_instructions, '') AS access_instructions, \
        COALESCE(l.delivery_contact_name, '') AS delivery_contact_name, \
        COALESCE(l.delivery_contact_phone, '') AS delivery_contact_phone \
     FROM replacements r \
     JOIN organizations o ON o.id = r.organization_id \
     JOIN cases c ON c.id = r.case_id \
     JOIN arrays a ON a.id = r.array_id \
     JOIN sites s ON s.id = r.site_id \
     JOIN users u ON u.id = r.created_by \
     LEFT JOIN users ac ON ac.id = r.access_confirmed_by \
     LEFT JOIN site_logistics l ON l.site_id = r.site_id";

fn pair(a: Option<i64>, b: Option<i64>) -> Option<(i64, i64)> {
    a.zip(b)
}

fn logistics_of(row: &AnyRow) -> Result<LogisticsFields, AppError> {
    Ok(LogisticsFields {
        datacenter_address: col(row, "datacenter_address")?,
        grid_coordinates: col(row, "grid_coordinates")?,
        access_instructions: col(row, "access_instructions")?,
        delivery_contact_name: col(row, "delivery_contact_name")?,
        delivery_contact_phone: col(row, "delivery_contact_phone")?,
    })
}

fn row_of(r: &AnyRow) -> Result<Row, AppError> {
    let part_type: String = col(r, "part_type")?;
    let return_method: String = col(r, "return_method")?;
    let stage: String = col(r, "stage")?;
    let internal = |what: &str, v: &str| AppError::Internal(format!("stored {what} {v:?}"));
    Ok(Row {
        id: col(r, "id")?,
        organization_id: col(r, "organization_id")?,
        organization_name: col(r, "organization_name")?,
        case_id: col(r, "case_id")?,
        case_number: col(r, "case_number")?,
        case_subject: col(r, "case_subject")?,
        array_name: col(r, "array_name")?,
        site_id: col(r, "site_id")?,
        site_name: col(r, "site_name")?,
        time_zone: col(r, "time_zone")?,
        part_type: part_type
            .parse()
            .map_err(|_| internal("part type", &part_type))?,
        part_number: col(r, "part_number")?,
        quantity: col(r, "quantity")?,
        description: col(r, "description")?,
        technician: col::<i64>(r, "technician_required")? != 0,
        return_method: return_method
            .parse()
            .map_err(|_| internal("return method", &return_method))?,
        retention: col::<i64>(r, "drive_retention")? != 0,
        stage: stage.parse().map_err(|_| internal("stage", &stage))?,
        created_by_name: col(r, "created_by_name")?,
        diagnosed_at: col(r, "diagnosed_at")?,
        dispatched_at: col(r, "dispatched_at")?,
        delivery_json: col(r, "delivery_json")?,
        delivery_due_at: col(r, "delivery_due_at")?,
        carrier: col(r, "carrier")?,
        tracking_number: col(r, "tracking_number")?,
        shipped_at: col(r, "shipped_at")?,
        delivered_at: col(r, "delivered_at")?,
        proposed: pair(
            col(r, "proposed_window_start")?,
            col(r, "proposed_window_end")?,
        ),
        window: pair(col(r, "window_start")?, col(r, "window_end")?),
        scheduled_at: col(r, "scheduled_at")?,
        installed_at: col(r, "installed_at")?,
        access_confirmed_at: col(r, "access_confirmed_at")?,
        access_confirmed_by: col(r, "access_confirmed_by")?,
        return_due_at: col(r, "return_due_at")?,
        closed_at: col(r, "closed_at")?,
        cancelled_at: col(r, "cancelled_at")?,
        cancel_reason: col(r, "cancel_reason")?,
        logistics: logistics_of(r)?,
    })
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Row>, AppError> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_db)?;
    row.as_ref().map(row_of).transpose()
}

/// Rows matching `filter`, whose `$1` is `key` (an organization or case id) and `$2`, if used,
/// `instant`.
async fn load_where(
    pool: &AnyPool,
    filter: &str,
    key: &str,
    instant: Option<i64>,
) -> Result<Vec<Row>, AppError> {
    let sql = format!("{SELECT} WHERE {filter}");
    let mut q = sqlx::query(&sql).bind(key);
    if let Some(t) = instant {
        q = q.bind(t);
    }
    q.fetch_all(pool)
        .await
        .map_err(map_db)?
        .iter()
        .map(row_of)
        .collect()
}

/// The replacement if the user may see it; unknown and foreign ids are both "not found".
async fn visible(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<Row, AppError> {
    org_filter(user)?;
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let row = load(&mut conn, id.trim()).await?.ok_or_else(not_found)?;
    if !(user.role.is_staff() || is_contact_of(user, &row.organization_id)) {
        return Err(not_found());
    }
    Ok(row)
}

// ---- Writing: the case timeline and the audit log ----

/// Adds a 'replacement' entry to the case's timeline. Locks the case row first, as every case
/// writer does, so the event's sequence number cannot be taken twice; the version bump makes a
/// case job that read the case before this change look again next run.
async fn case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: Option<&str>,
    stage: Stage,
    body: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET version = version + 1, updated_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
    let mut e = NewEvent::new(CaseEventKind::Replacement, actor, body);
    e.new_value = Some(stage.as_str().to_string());
    insert_event(conn, case_id, at, e).await?;
    Ok(())
}

/// Ends a change: the case's timeline entry and the audit entry, in the change's transaction,
/// then the commit.
#[allow(clippy::too_many_arguments)]
async fn finish_move(
    mut tx: crate::server::db::WriteTx,
    row: &Row,
    user: &CurrentUser,
    action: &str,
    stage: Stage,
    body: &str,
    after: serde_json::Value,
    at: i64,
) -> Result<(), AppError> {
    case_event(&mut tx, &row.case_id, Some(&user.id), stage, body, at).await?;
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(&row.organization_id),
            actor: Some(&user.id),
            action,
            entity: "replacement",
            entity_id: &row.id,
            before: Some(json!({ "stage": row.stage.as_str() })),
            after: Some(after),
            at,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

// ---- Support: create ----

/// What the create form submits (quantity and flags already parsed by the server function).
#[derive(Debug, Clone, Default)]
pub struct NewReplacement {
    pub case_id: String,
    /// Empty for the case's own array.
    pub array_id: String,
    pub part_type: String,
    pub part_number: String,
    pub quantity: i64,
    pub description: String,
    pub technician_required: bool,
    /// "label" or "kit"; empty for a label.
    pub return_method: String,
    pub drive_retention: bool,
}

/// Support records a diagnosed part on a case. Returns the replacement's id.
pub async fn create(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    input: &NewReplacement,
) -> Result<String, AppError> {
    require_staff(user)?;
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let case = load_case(&mut conn, input.case_id.trim())
        .await?
        .ok_or_else(|| AppError::NotFound("Case".into()))?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::Conflict(
            "This case is closed: reopen it before replacing a part.".into(),
        ));
    }
    let array_id = match input.array_id.trim() {
        "" => case.array_id.clone(),
        id => id.to_string(),
    };
    let array = sqlx::query(
        "SELECT a.id, a.name, a.site_id, a.product_line, a.program_id, a.plan_id, \
                s.organization_id FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(&array_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_db)?
    .filter(|a| col::<String>(a, "organization_id").ok().as_ref() == Some(&case.organization_id))
    .ok_or_else(|| {
        AppError::invalid(
            "array_id",
            "Choose one of the case's organization's arrays.",
        )
    })?;
    drop(conn);
    if col::<String>(&array, "product_line")? != "array" {
        return Err(AppError::invalid(
            "array_id",
            "Only hardware arrays have replacement parts.",
        ));
    }
    let program_id: String = col(&array, "program_id")?;
    let plan_id: String = col(&array, "plan_id")?;
    let has_rule = programs
        .program(&program_id)
        .and_then(|p| p.plan(&plan_id))
        .map(|p| p.delivery.is_some())
        .unwrap_or(false);
    if !has_rule {
        return Err(sla_error(SlaError::NoDeliveryRule {
            program: program_id,
            plan: plan_id,
        }));
    }
    let part_type: PartType = input.part_type.parse()?;
    let part_number = required_text(
        "part_number",
        &input.part_number,
        CODE_MAX,
        "the part number",
    )?;
    if !(1..=QUANTITY_MAX).contains(&input.quantity) {
        return Err(AppError::invalid(
            "quantity",
            format!("Enter a quantity from 1 to {QUANTITY_MAX}."),
        ));
    }
    let description = optional_text("description", &input.description, TEXT_MAX)?;
    let return_method: ReturnMethod = match input.return_method.trim() {
        "" => ReturnMethod::Label,
        v => v.parse()?,
    };
    if input.drive_retention && part_type != PartType::Drive {
        return Err(AppError::invalid(
            "drive_retention",
            "The drive-retention option applies to drives only.",
        ));
    }
    let site_id: String = col(&array, "site_id")?;
    let array_name: String = col(&array, "name")?;
    let id = new_id();
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    sqlx::query(
        "INSERT INTO replacements (id, organization_id, case_id, array_id, site_id, part_type, \
             part_number, quantity, description, technician_required, return_method, \
             drive_retention, stage, created_by, diagnosed_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'diagnosed', $13, $14, $14)",
    )
    .bind(&id)
    .bind(&case.organization_id)
    .bind(&case.id)
    .bind(&array_id)
    .bind(&site_id)
    .bind(part_type.as_str())
    .bind(&part_number)
    .bind(input.quantity)
    .bind(&description)
    .bind(input.technician_required)
    .bind(return_method.as_str())
    .bind(input.drive_retention)
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let mut body = format!(
        "Replacement diagnosed: {} {} for {array_name}.",
        part_type.label(),
        part_number
    );
    if input.quantity > 1 {
        body = body.replace(" for ", &format!(" × {} for ", input.quantity));
    }
    if input.technician_required {
        body.push_str(" A field technician will replace it.");
    }
    case_event(
        &mut tx,
        &case.id,
        Some(&user.id),
        Stage::Diagnosed,
        &body,
        now,
    )
    .await?;
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(&case.organization_id),
            actor: Some(&user.id),
            action: "replacement.create",
            entity: "replacement",
            entity_id: &id,
            before: None,
            after: Some(json!({
                "stage": "diagnosed",
                "case_id": case.id,
                "array_id": array_id,
                "part_type": part_type.as_str(),
                "part_number": part_number,
                "quantity": input.quantity,
                "technician_required": input.technician_required,
                "return_method": return_method.as_str(),
                "drive_retention": input.drive_retention,
            })),
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(id)
}

// ---- Support: stage moves ----

/// Why a move to `to` is refused from where the replacement is.
fn stage_conflict(row: &Row, to: Stage) -> AppError {
    let now = row.stage;
    let message = if now == to {
        format!("This replacement is already at “{}”.", now.label())
    } else if now.is_final() {
        format!(
            "This replacement is closed (“{}”); its stage cannot change any more.",
            now.label()
        )
    } else if to == Stage::Cancelled {
        format!(
            "This replacement is at “{}”: once the part has arrived it cannot be cancelled.",
            now.label()
        )
    } else if !row.technician && matches!(to, Stage::TechnicianScheduled | Stage::Installed) {
        "This replacement needs no field technician.".to_string()
    } else if to == Stage::Retained && !row.retention {
        "The customer did not choose the drive-retention option: the defective part must be returned."
            .to_string()
    } else if to == Stage::Returned && row.retention {
        "The customer keeps the drives under the drive-retention option: close it as retained."
            .to_string()
    } else {
        match to.required_before(row.technician) {
            Some(before) => format!(
                "This replacement is at “{}”: it can only move to “{}” from “{}”.",
                now.label(),
                to.label(),
                before.label()
            ),
            None => format!("This replacement cannot move to “{}”.", to.label()),
        }
    };
    AppError::Conflict(message)
}

/// Starts a move to `to`: checks it is the next stage (or a cancel while allowed), then locks
/// the row with a conditional update from the stage it was read at. A concurrent move makes the
/// update find nothing, and the answer explains the stage the row is really at.
async fn begin_move(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    to: Stage,
) -> Result<(Row, crate::server::db::WriteTx), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let allowed = if to == Stage::Cancelled {
        row.stage.can_cancel()
    } else {
        row.stage.next(row.technician, row.retention).contains(&to)
    };
    if !allowed {
        return Err(stage_conflict(&row, to));
    }
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let locked =
        sqlx::query("UPDATE replacements SET version = version + 1 WHERE id = $1 AND stage = $2")
            .bind(&row.id)
            .bind(row.stage.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_db)?
            .rows_affected();
    if locked == 0 {
        drop(tx);
        let current = visible(pool, user, id).await?;
        return Err(stage_conflict(&current, to));
    }
    Ok((row, tx))
}

/// The part is dispatched: the delivery commitment starts, computed by the SLA engine in the
/// site's local time from now. A replacement that needs a field technician is refused while the
/// site's logistics miss anything the technician needs, saying what.
pub async fn dispatch(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    let (row, mut tx) = begin_move(pool, user, id, Stage::Dispatched).await?;
    if row.technician {
        let missing = row.logistics.missing();
        if !missing.is_empty() {
            return Err(AppError::invalid(
                "site_logistics",
                format!(
                    "A field technician cannot be dispatched to {}: the site's logistics lack {}. \
                     An admin of {} adds them on the Replacements page.",
                    row.site_name,
                    and_list(&missing),
                    row.organization_name
                ),
            ));
        }
    }
    let site = sqlx::query(
        "SELECT a.program_id, a.plan_id, CASE WHEN s.six_hour_radius THEN 1 ELSE 0 END AS six \
         FROM replacements r JOIN arrays a ON a.id = r.array_id JOIN sites s ON s.id = r.site_id \
         WHERE r.id = $1",
    )
    .bind(&row.id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_db)?;
    let holidays = site_holidays(&mut tx, &row.site_id).await?;
    let now = now_ms();
    let d = delivery_due(
        programs,
        &col::<String>(&site, "program_id")?,
        &col::<String>(&site, "plan_id")?,
        ms_to_dt(now)?,
        &row.time_zone,
        holidays,
        col::<i64>(&site, "six")? != 0,
    )
    .map_err(sla_error)?;
    let due = d.due.map(|t| t.timestamp_millis());
    let stored =
        serde_json::to_string(&d).map_err(|e| AppError::Internal(format!("delivery due: {e}")))?;
    sqlx::query(
        "UPDATE replacements SET stage = 'dispatched', dispatched_at = $2, delivery_json = $3, \
             delivery_due_at = $4, updated_at = $2 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(now)
    .bind(&stored)
    .bind(due)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = format!(
        "Replacement dispatched: {} for {}. {}",
        row.title(),
        row.array_name,
        commitment_words(&d, &row.time_zone)
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.dispatch",
        Stage::Dispatched,
        &body,
        json!({ "stage": "dispatched", "delivery_due_at": due, "kind": d.kind }),
        now,
    )
    .await
}

/// "Delivery due Tue 13 Jan 17:00 EST (next-business-day delivery)." in the site's time.
fn commitment_words(d: &DeliveryDue, tz: &str) -> String {
    match (d.kind, d.due) {
        (DeliveryKind::BestEffort, _) | (_, None) => {
            let day = d
                .ships_on
                .map(|s| format!(" It ships the same day, {}.", s.format("%a %-d %b")))
                .unwrap_or_default();
            format!("Same-day shipping: best effort, no delivery commitment.{day}")
        }
        (DeliveryKind::NextBusinessDay, Some(due)) => format!(
            "Delivery due {} (next-business-day delivery).",
            fmt_local(due, zone(tz))
        ),
        (DeliveryKind::Hours, Some(due)) => {
            format!("Delivery due {}.", fmt_local(due, zone(tz)))
        }
    }
}

/// The part left with the carrier.
pub async fn ship(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    carrier: &str,
    tracking_number: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let carrier = required_text("carrier", carrier, CODE_MAX, "the carrier")?;
    let tracking = required_text(
        "tracking_number",
        tracking_number,
        CODE_MAX,
        "the tracking number",
    )?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::Shipped).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE replacements SET stage = 'shipped', shipped_at = $2, carrier = $3, \
             tracking_number = $4, updated_at = $2 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(now)
    .bind(&carrier)
    .bind(&tracking)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = format!(
        "Replacement shipped: {} with {carrier}, tracking number {tracking}.",
        row.title()
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.ship",
        Stage::Shipped,
        &body,
        json!({ "stage": "shipped", "carrier": carrier, "tracking_number": tracking }),
        now,
    )
    .await
}

/// The part arrived at the site, now or at `delivered_at` (site local time, for a delivery
/// recorded afterwards). Without a technician, the defective part's return is due from now.
pub async fn deliver(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    delivered_at: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let now = now_ms();
    let at = match delivered_at.trim() {
        "" => now,
        v => site_time("delivered_at", v, &row.time_zone)?.timestamp_millis(),
    };
    if at > now + 60_000 {
        return Err(AppError::invalid(
            "delivered_at",
            "The delivery time cannot be in the future.",
        ));
    }
    if row.shipped_at.is_some_and(|s| at < s) {
        return Err(AppError::invalid(
            "delivered_at",
            "The delivery time cannot be before the part shipped.",
        ));
    }
    let (row, mut tx) = begin_move(pool, user, id, Stage::Delivered).await?;
    let return_due = (!row.technician).then_some(at + RETURN_DAYS * DAY_MS);
    sqlx::query(
        "UPDATE replacements SET stage = 'delivered', delivered_at = $2, return_due_at = $3, \
             updated_at = $4 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(at)
    .bind(return_due)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let on_time = match row.delivery_due_at {
        Some(due) if at <= due => " On time.",
        Some(_) => " Late: after the committed delivery time.",
        None => "",
    };
    let body = format!(
        "Replacement delivered: {} at {} on {}.{on_time}",
        row.title(),
        row.site_name,
        local(at, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.deliver",
        Stage::Delivered,
        &body,
        json!({ "stage": "delivered", "delivered_at": at, "return_due_at": return_due }),
        now,
    )
    .await
}

/// Support schedules the field technician's visit (site local times).
pub async fn schedule_technician(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    start: &str,
    end: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let (start, end) = window(start, end, &row.time_zone)?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::TechnicianScheduled).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE replacements SET stage = 'technician_scheduled', window_start = $2, \
             window_end = $3, scheduled_at = $4, updated_at = $4 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = format!(
        "Field technician scheduled for {}: {} to {}.",
        row.title(),
        local(start, &row.time_zone)?,
        local(end, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.schedule",
        Stage::TechnicianScheduled,
        &body,
        json!({ "stage": "technician_scheduled", "window_start": start, "window_end": end }),
        now,
    )
    .await
}

/// The technician replaced the part: the defective part's return is due from now.
pub async fn install(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let (row, mut tx) = begin_move(pool, user, id, Stage::Installed).await?;
    let now = now_ms();
    let return_due = (!row.retention).then_some(now + RETURN_DAYS * DAY_MS);
    sqlx::query(
        "UPDATE replacements SET stage = 'installed', installed_at = $2, return_due_at = $3, \
             updated_at = $2 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(now)
    .bind(return_due)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = format!(
        "Replacement installed by the field technician: {}.",
        row.title()
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.install",
        Stage::Installed,
        &body,
        json!({ "stage": "installed", "return_due_at": return_due }),
        now,
    )
    .await
}

/// The defective part came back (`Returned`), or the customer keeps the drives under the
/// drive-retention option (`Retained`): the replacement is done.
pub async fn close(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    to: Stage,
) -> Result<(), AppError> {
    if !matches!(to, Stage::Returned | Stage::Retained) {
        return Err(AppError::invalid("stage", "Choose returned or retained."));
    }
    let (row, mut tx) = begin_move(pool, user, id, to).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE replacements SET stage = $2, closed_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(to.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = if to == Stage::Retained {
        format!(
            "Replacement closed: the customer keeps the replaced drives ({}) under the drive-retention option.",
            row.title()
        )
    } else {
        format!(
            "Replacement closed: the defective part ({}) was returned.",
            row.title()
        )
    };
    finish_move(
        tx,
        &row,
        user,
        "replacement.close",
        to,
        &body,
        json!({ "stage": to.as_str() }),
        now,
    )
    .await
}

/// Support cancels a replacement before the part arrives, with a reason.
pub async fn cancel(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    reason: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let reason = required_text("reason", reason, TEXT_MAX, "why it is cancelled")?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::Cancelled).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE replacements SET stage = 'cancelled', cancelled_at = $2, cancel_reason = $3, \
             updated_at = $2 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(now)
    .bind(&reason)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let body = format!("Replacement cancelled: {}. {reason}", row.title());
    finish_move(
        tx,
        &row,
        user,
        "replacement.cancel",
        Stage::Cancelled,
        &body,
        json!({ "stage": "cancelled", "reason": reason }),
        now,
    )
    .await
}

// ---- Customer: access details and the technician's window ----

/// Stages in which the technician has not been on site yet.
const BEFORE_VISIT: &str =
    "('diagnosed', 'dispatched', 'shipped', 'delivered', 'technician_scheduled')";

/// A designated contact confirms the site's access details for the field technician.
pub async fn confirm_access(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let row = visible(pool, user, id).await?;
    if !is_contact_of(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    if !row.technician {
        return Err(AppError::Conflict(
            "This replacement needs no field technician.".into(),
        ));
    }
    let missing = row.logistics.missing();
    if !missing.is_empty() {
        return Err(AppError::Conflict(format!(
            "The site's logistics lack {}: an admin adds them on the Replacements page first.",
            and_list(&missing)
        )));
    }
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let changed = sqlx::query(&format!(
        "UPDATE replacements SET access_confirmed_at = $2, access_confirmed_by = $3, \
             updated_at = $2, version = version + 1 \
         WHERE id = $1 AND access_confirmed_at IS NULL AND stage IN {BEFORE_VISIT}"
    ))
    .bind(&row.id)
    .bind(now)
    .bind(&user.id)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(
            "The access details are already confirmed, or the technician's visit is over.".into(),
        ));
    }
    let body = format!(
        "{} confirmed the site access details of {} for the field technician.",
        user.name, row.site_name
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.confirm_access",
        row.stage,
        &body,
        json!({ "access_confirmed_at": now }),
        now,
    )
    .await
}

/// A designated contact proposes when the field technician may come (site local times).
pub async fn propose_window(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    start: &str,
    end: &str,
) -> Result<(), AppError> {
    let row = visible(pool, user, id).await?;
    if !is_contact_of(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    if !row.technician {
        return Err(AppError::Conflict(
            "This replacement needs no field technician.".into(),
        ));
    }
    let (start, end) = window(start, end, &row.time_zone)?;
    let now = now_ms();
    if start <= now {
        return Err(AppError::invalid(
            "window_start",
            "Propose a window in the future.",
        ));
    }
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let changed = sqlx::query(
        "UPDATE replacements SET proposed_window_start = $2, proposed_window_end = $3, \
             updated_at = $4, version = version + 1 \
         WHERE id = $1 AND stage IN ('diagnosed', 'dispatched', 'shipped', 'delivered')",
    )
    .bind(&row.id)
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(
            "The technician's visit is already scheduled or over.".into(),
        ));
    }
    let body = format!(
        "{} proposed a window for the field technician: {} to {}.",
        user.name,
        local(start, &row.time_zone)?,
        local(end, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.propose_window",
        row.stage,
        &body,
        json!({ "proposed_window_start": start, "proposed_window_end": end }),
        now,
    )
    .await
}

// ---- Admins: site logistics ----

/// An admin saves the site's logistics. Every field may be left empty, but a technician
/// dispatch to the site is refused until all are filled in.
pub async fn save_logistics(
    pool: &AnyPool,
    user: &CurrentUser,
    site_id: &str,
    fields: &LogisticsFields,
) -> Result<(), AppError> {
    let org: Option<String> = sqlx::query_scalar("SELECT organization_id FROM sites WHERE id = $1")
        .bind(site_id.trim())
        .fetch_optional(pool)
        .await
        .map_err(map_db)?;
    let Some(org) = org.filter(|o| user.role.is_staff() || is_contact_of(user, o)) else {
        return Err(AppError::NotFound("Site".into()));
    };
    if !is_admin_of(user, &org) {
        return Err(AppError::Forbidden);
    }
    let f = LogisticsFields {
        datacenter_address: optional_text(
            "datacenter_address",
            &fields.datacenter_address,
            TEXT_MAX,
        )?,
        grid_coordinates: optional_text("grid_coordinates", &fields.grid_coordinates, TEXT_MAX)?,
        access_instructions: optional_text(
            "access_instructions",
            &fields.access_instructions,
            TEXT_MAX,
        )?,
        delivery_contact_name: optional_text(
            "delivery_contact_name",
            &fields.delivery_contact_name,
            CODE_MAX,
        )?,
        delivery_contact_phone: optional_text(
            "delivery_contact_phone",
            &fields.delivery_contact_phone,
            CODE_MAX,
        )?,
    };
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let before = sqlx::query(
        "SELECT datacenter_address, grid_coordinates, access_instructions, \
                delivery_contact_name, delivery_contact_phone FROM site_logistics WHERE site_id = $1",
    )
    .bind(site_id.trim())
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_db)?
    .map(|r| logistics_of(&r))
    .transpose()?;
    upsert_logistics(&mut tx, site_id.trim(), &f, Some(&user.id), now).await?;
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(&org),
            actor: Some(&user.id),
            action: "site.logistics",
            entity: "site",
            entity_id: site_id.trim(),
            before: before.map(|b| json!(b)),
            after: Some(json!(f)),
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

async fn upsert_logistics(
    conn: &mut AnyConnection,
    site_id: &str,
    f: &LogisticsFields,
    by: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO site_logistics (site_id, datacenter_address, grid_coordinates, \
             access_instructions, delivery_contact_name, delivery_contact_phone, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (site_id) DO UPDATE SET datacenter_address = excluded.datacenter_address, \
             grid_coordinates = excluded.grid_coordinates, \
             access_instructions = excluded.access_instructions, \
             delivery_contact_name = excluded.delivery_contact_name, \
             delivery_contact_phone = excluded.delivery_contact_phone, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(site_id)
    .bind(&f.datacenter_address)
    .bind(&f.grid_coordinates)
    .bind(&f.access_instructions)
    .bind(&f.delivery_contact_name)
    .bind(&f.delivery_contact_phone)
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    Ok(())
}

// ---- Reads ----

/// What the customer must do next, in words (also shown to support).
fn next_step(row: &Row, missing: &[&str]) -> Result<Option<String>, AppError> {
    let tz = &row.time_zone;
    let before_visit = matches!(
        row.stage,
        Stage::Diagnosed | Stage::Dispatched | Stage::Shipped | Stage::Delivered
    );
    let return_words = |due: Option<i64>| -> Result<String, AppError> {
        if row.retention {
            return Ok(
                "Nothing to send back: you keep the replaced drives under the drive-retention option (an additional charge)."
                    .to_string(),
            );
        }
        let by = match due {
            Some(d) => format!(" by {}", local_day(d, tz)?),
            None => String::new(),
        };
        Ok(match row.return_method {
            ReturnMethod::Label => format!(
                "Return the defective part{by}: pack it in the packaging the replacement came in \
                 and affix the prepaid return label (on the packaging, or sent to you by e-mail)."
            ),
            ReturnMethod::Kit => format!(
                "Return the defective part{by}: pack it in the packaging the replacement came in \
                 and follow the returns kit's instructions to arrange collection with the \
                 logistics provider."
            ),
        })
    };
    Ok(match row.stage {
        Stage::Returned | Stage::Retained | Stage::Cancelled => None,
        _ if row.technician && !missing.is_empty() && row.stage < Stage::Installed => {
            Some(format!(
                "An admin of your organization must add {} to the site's logistics on the \
             Replacements page before the field technician can be dispatched.",
                and_list(missing)
            ))
        }
        _ if row.technician
            && row.access_confirmed_at.is_none()
            && row.stage < Stage::Installed =>
        {
            Some("Confirm the site access details for the field technician.".to_string())
        }
        _ if row.technician && before_visit && row.proposed.is_none() => {
            Some("Propose a window for the field technician's visit.".to_string())
        }
        Stage::Diagnosed => Some("Nothing yet: support is preparing the dispatch.".to_string()),
        Stage::Dispatched | Stage::Shipped => {
            Some("Receive the replacement part at the site when it arrives.".to_string())
        }
        Stage::Delivered if row.technician => {
            Some("Support will confirm the field technician's visit.".to_string())
        }
        Stage::TechnicianScheduled => match row.window {
            Some((s, e)) => Some(format!(
                "Give the field technician access to the site from {} to {}.",
                local(s, tz)?,
                local(e, tz)?
            )),
            None => None,
        },
        Stage::Delivered | Stage::Installed => Some(return_words(row.return_due_at)?),
    })
}

fn view(row: &Row, user: &CurrentUser, now: DateTime<Utc>) -> Result<Replacement, AppError> {
    let staff = user.role.is_staff();
    let contact = is_contact_of(user, &row.organization_id);
    let missing = if row.technician && !row.stage.is_final() {
        row.logistics.missing()
    } else {
        Vec::new()
    };
    let delivery: Option<DeliveryDue> = row
        .delivery_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| AppError::Internal(format!("stored delivery due: {e}")))?;
    let delivery_due = opt_dt(row.delivery_due_at)?;
    let delivered_at = opt_dt(row.delivered_at)?;
    let before_visit = matches!(
        row.stage,
        Stage::Diagnosed | Stage::Dispatched | Stage::Shipped | Stage::Delivered
    );
    let window = |w: Option<(i64, i64)>| -> Result<_, AppError> {
        w.map(|(s, e)| Ok((ms_to_dt(s)?, ms_to_dt(e)?))).transpose()
    };
    Ok(Replacement {
        id: row.id.clone(),
        organization_name: row.organization_name.clone(),
        case: ReplacementCase {
            id: row.case_id.clone(),
            number_label: case_number_label(row.case_number),
            subject: row.case_subject.clone(),
        },
        array_name: row.array_name.clone(),
        site_name: row.site_name.clone(),
        site_tz: row.time_zone.clone(),
        part_type: row.part_type,
        part_number: row.part_number.clone(),
        quantity: row.quantity,
        description: row.description.clone(),
        technician_required: row.technician,
        return_method: row.return_method,
        drive_retention: row.retention,
        stage: row.stage,
        created_by: row.created_by_name.clone(),
        diagnosed_at: ms_to_dt(row.diagnosed_at)?,
        dispatched_at: opt_dt(row.dispatched_at)?,
        shipped_at: opt_dt(row.shipped_at)?,
        delivered_at,
        scheduled_at: opt_dt(row.scheduled_at)?,
        installed_at: opt_dt(row.installed_at)?,
        closed_at: opt_dt(row.closed_at)?,
        cancelled_at: opt_dt(row.cancelled_at)?,
        cancel_reason: row.cancel_reason.clone(),
        carrier: row.carrier.clone(),
        tracking_number: row.tracking_number.clone(),
        delivery,
        delivery_due,
        delivery_state: DeliveryState::of(
            row.stage,
            row.dispatched_at.is_some(),
            delivery_due,
            delivered_at,
            now,
        ),
        proposed_window: window(row.proposed)?,
        window: window(row.window)?,
        access_confirmed_at: opt_dt(row.access_confirmed_at)?,
        access_confirmed_by: row.access_confirmed_by.clone(),
        return_due: opt_dt(row.return_due_at)?,
        next_step: next_step(row, &missing)?,
        logistics_missing: missing.iter().map(|m| m.to_string()).collect(),
        next_stages: if staff {
            row.stage.next(row.technician, row.retention)
        } else {
            Vec::new()
        },
        can_cancel: staff && row.stage.can_cancel(),
        can_confirm_access: contact
            && row.technician
            && row.access_confirmed_at.is_none()
            && missing.is_empty()
            && (before_visit || row.stage == Stage::TechnicianScheduled),
        can_propose_window: contact && row.technician && before_visit,
    })
}

/// Open replacements first, the earliest delivery due first (then the oldest); finished ones
/// after them, the latest first.
fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by_key(|r| {
        let finished = r.stage.is_final();
        let last = r.closed_at.or(r.cancelled_at).unwrap_or(r.diagnosed_at);
        (
            finished,
            if finished {
                -last
            } else {
                r.delivery_due_at.unwrap_or(i64::MAX)
            },
            r.diagnosed_at,
        )
    });
    let (open, done): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| !r.stage.is_final());
    open.into_iter()
        .chain(done.into_iter().take(FINISHED_LIMIT))
        .collect()
}

fn views(
    rows: &[Row],
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<Vec<Replacement>, AppError> {
    rows.iter().map(|r| view(r, user, now)).collect()
}

/// The replacements page: the viewer's organization's replacements (every organization's for
/// staff) and its sites' logistics.
pub async fn overview(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<ReplacementsOverview, AppError> {
    let org = org_filter(user)?;
    let rows = sorted(load_where(pool, "($1 = '' OR r.organization_id = $1)", &org, None).await?);
    let now = Utc::now();
    let sites = sqlx::query(
        "SELECT s.id, s.name, s.time_zone, s.organization_id, o.name AS organization_name, \
                COALESCE(l.datacenter_address, '') AS datacenter_address, \
                COALESCE(l.grid_coordinates, '') AS grid_coordinates, \
                COALESCE(l.access_instructions, '') AS access_instructions, \
                COALESCE(l.delivery_contact_name, '') AS delivery_contact_name, \
                COALESCE(l.delivery_contact_phone, '') AS delivery_contact_phone, \
                l.updated_at, u.name AS updated_by \
         FROM sites s JOIN organizations o ON o.id = s.organization_id \
         LEFT JOIN site_logistics l ON l.site_id = s.id \
         LEFT JOIN users u ON u.id = l.updated_by \
         WHERE ($1 = '' OR s.organization_id = $1) ORDER BY o.name, s.name",
    )
    .bind(&org)
    .fetch_all(pool)
    .await
    .map_err(map_db)?
    .iter()
    .map(|r| {
        let fields = logistics_of(r)?;
        let organization_id: String = col(r, "organization_id")?;
        Ok(SiteLogistics {
            site_id: col(r, "id")?,
            site_name: col(r, "name")?,
            organization_name: col(r, "organization_name")?,
            time_zone: col(r, "time_zone")?,
            missing: fields.missing().iter().map(|m| m.to_string()).collect(),
            fields,
            updated_at: opt_dt(col(r, "updated_at")?)?,
            updated_by: col(r, "updated_by")?,
            can_edit: is_admin_of(user, &organization_id),
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ReplacementsOverview {
        replacements: views(&rows, user, now)?,
        sites,
        is_staff: user.role.is_staff(),
        now,
    })
}

/// The replacements panel of a case; support also gets the create form's arrays.
pub async fn for_case(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
) -> Result<CaseReplacements, AppError> {
    org_filter(user)?;
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let case = load_case(&mut conn, case_id.trim())
        .await?
        .filter(|c| can_see(user, c))
        .ok_or_else(|| AppError::NotFound("Case".into()))?;
    drop(conn);
    let rows = sorted(load_where(pool, "r.case_id = $1", &case.id, None).await?);
    let staff = user.role.is_staff();
    let arrays = if staff {
        sqlx::query(
            "SELECT a.id, a.name, a.serial, s.name AS site_name FROM arrays a \
             JOIN sites s ON s.id = a.site_id \
             WHERE s.organization_id = $1 AND a.product_line = 'array' ORDER BY s.name, a.name",
        )
        .bind(&case.organization_id)
        .fetch_all(pool)
        .await
        .map_err(map_db)?
        .iter()
        .map(|r| {
            let name: String = col(r, "name")?;
            let serial: String = col(r, "serial")?;
            let site: String = col(r, "site_name")?;
            Ok(ArrayChoice {
                id: col(r, "id")?,
                label: format!("{name} ({serial}) · {site}"),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?
    } else {
        Vec::new()
    };
    let mut arrays = arrays;
    arrays.sort_by_key(|a| a.id != case.array_id);
    let now = Utc::now();
    Ok(CaseReplacements {
        replacements: views(&rows, user, now)?,
        can_create: staff && case.status.is_open() && !arrays.is_empty(),
        arrays,
        now,
    })
}

/// Parts on their way past their committed delivery time: the support queue's and the
/// customer dashboard's flag.
pub async fn late(pool: &AnyPool, user: &CurrentUser) -> Result<LateDeliveries, AppError> {
    let org = org_filter(user)?;
    let now = Utc::now();
    let rows = load_where(
        pool,
        "($1 = '' OR r.organization_id = $1) AND r.stage IN ('dispatched', 'shipped') \
         AND r.delivery_due_at IS NOT NULL AND r.delivery_due_at < $2 \
         ORDER BY r.delivery_due_at",
        &org,
        Some(now.timestamp_millis()),
    )
    .await?;
    Ok(LateDeliveries {
        replacements: views(&rows, user, now)?,
        is_staff: user.role.is_staff(),
        now,
    })
}

// ---- Demo data ----

/// One demo replacement, times in minutes before now.
struct DemoReplacement {
    case_subject: &'static str,
    part_type: PartType,
    part_number: &'static str,
    quantity: i64,
    technician: bool,
    return_method: ReturnMethod,
    dispatched_ago: i64,
    shipped_ago: Option<i64>,
    delivered_ago: Option<i64>,
    carrier: &'static str,
    tracking: &'static str,
    access_confirmed: bool,
}

const DEMO: &[DemoReplacement] = &[
    // Premium (four-hour delivery) with a field technician: on its way, due in about two hours.
    DemoReplacement {
        case_subject: "Controller failover alert after maintenance",
        part_type: PartType::Controller,
        part_number: "CT-X70R4-0412",
        quantity: 1,
        technician: true,
        return_method: ReturnMethod::Label,
        dispatched_ago: 120,
        shipped_ago: Some(90),
        delivered_ago: None,
        carrier: "DHL Express",
        tracking: "JD014600006281234567",
        access_confirmed: true,
    },
    // Delivered yesterday, no technician: the customer sees the return reminder.
    DemoReplacement {
        case_subject: "Replication lag to the DR site",
        part_type: PartType::Drive,
        part_number: "DFM-9.1TB-R3",
        quantity: 1,
        technician: false,
        return_method: ReturnMethod::Label,
        dispatched_ago: 26 * 60,
        shipped_ago: Some(25 * 60),
        delivered_ago: Some(23 * 60),
        carrier: "UPS",
        tracking: "1Z999AA10123456784",
        access_confirmed: false,
    },
    // Next-business-day delivery dispatched four days ago and still on its way: late.
    DemoReplacement {
        case_subject: "Backup window exceeded after firmware upgrade",
        part_type: PartType::Drive,
        part_number: "DFM-18TB-C60",
        quantity: 2,
        technician: false,
        return_method: ReturnMethod::Kit,
        dispatched_ago: 4 * 24 * 60,
        shipped_ago: Some(4 * 24 * 60 - 120),
        delivered_ago: None,
        carrier: "DB Schenker",
        tracking: "DBS-4471-0093-22",
        access_confirmed: false,
    },
];

/// Demo site logistics for Acme Boston (Acme Frankfurt is left without, so a technician
/// dispatch there shows the refusal) and the demo replacements, in the seeding transaction.
pub(crate) async fn seed_demo(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    now: i64,
) -> Result<(), AppError> {
    let boston: String = sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Boston DC'")
        .fetch_one(&mut *conn)
        .await
        .map_err(map_db)?;
    let admin: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@acme.example'")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_db)?;
    let engineer: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'engineer@support.example'")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_db)?;
    let boston_logistics = LogisticsFields {
        datacenter_address: "1 Summer Street, Boston, MA 02110, USA; loading dock on Chauncy Street".into(),
        grid_coordinates: "Data hall 2, row C, rack C14, units 20-28".into(),
        access_instructions: "Photo ID at the security desk; technicians are escorted. Name the case number at the gate; no access 02:00-04:00 (maintenance window).".into(),
        delivery_contact_name: "Dock office (Marco Ruiz)".into(),
        delivery_contact_phone: "+1 617 555 0150".into(),
    };
    upsert_logistics(&mut *conn, &boston, &boston_logistics, Some(&admin), now).await?;
    let min = 60_000;
    for d in DEMO {
        let case = sqlx::query(
            "SELECT c.id, c.organization_id, c.array_id, c.site_id, a.program_id, a.plan_id, \
                    s.time_zone, CASE WHEN s.six_hour_radius THEN 1 ELSE 0 END AS six \
             FROM cases c JOIN arrays a ON a.id = c.array_id JOIN sites s ON s.id = c.site_id \
             WHERE c.subject = $1",
        )
        .bind(d.case_subject)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_db)?;
        let site_id: String = col(&case, "site_id")?;
        let tz: String = col(&case, "time_zone")?;
        let dispatched = now - d.dispatched_ago * min;
        let holidays = site_holidays(conn, &site_id).await?;
        let due = delivery_due(
            programs,
            &col::<String>(&case, "program_id")?,
            &col::<String>(&case, "plan_id")?,
            ms_to_dt(dispatched)?,
            &tz,
            holidays,
            col::<i64>(&case, "six")? != 0,
        )
        .map_err(sla_error)?;
        let delivered = d.delivered_ago.map(|m| now - m * min);
        let stage = match (d.shipped_ago, delivered) {
            (_, Some(_)) => Stage::Delivered,
            (Some(_), None) => Stage::Shipped,
            (None, None) => Stage::Dispatched,
        };
        let id = new_id();
        let case_id: String = col(&case, "id")?;
        sqlx::query(
            "INSERT INTO replacements (id, organization_id, case_id, array_id, site_id, part_type, \
                 part_number, quantity, technician_required, return_method, drive_retention, \
                 stage, created_by, diagnosed_at, dispatched_at, delivery_json, delivery_due_at, \
                 carrier, tracking_number, shipped_at, delivered_at, access_confirmed_at, \
                 access_confirmed_by, return_due_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11, $12, $13, $14, $15, \
                 $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        )
        .bind(&id)
        .bind(col::<String>(&case, "organization_id")?)
        .bind(&case_id)
        .bind(col::<String>(&case, "array_id")?)
        .bind(&site_id)
        .bind(d.part_type.as_str())
        .bind(d.part_number)
        .bind(d.quantity)
        .bind(d.technician)
        .bind(d.return_method.as_str())
        .bind(stage.as_str())
        .bind(&engineer)
        .bind(dispatched - 15 * min)
        .bind(dispatched)
        .bind(serde_json::to_string(&due).map_err(|e| AppError::Internal(e.to_string()))?)
        .bind(due.due.map(|t| t.timestamp_millis()))
        .bind(d.shipped_ago.map(|_| d.carrier))
        .bind(d.shipped_ago.map(|_| d.tracking))
        .bind(d.shipped_ago.map(|m| now - m * min))
        .bind(delivered)
        .bind(d.access_confirmed.then_some(dispatched - 10 * min))
        .bind(d.access_confirmed.then_some(admin.as_str()))
        .bind(delivered.filter(|_| !d.technician).map(|t| t + RETURN_DAYS * DAY_MS))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
        let row = load(conn, &id).await?.ok_or_else(not_found)?;
        let body = format!(
            "Replacement dispatched: {} for {}. {}",
            row.title(),
            row.array_name,
            commitment_words(&due, &tz)
        );
        case_event(
            conn,
            &case_id,
            Some(&engineer),
            Stage::Dispatched,
            &body,
            dispatched,
        )
        .await?;
    }
    Ok(())
}
