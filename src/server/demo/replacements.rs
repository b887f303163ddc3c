//! Demo replacements on the demo cases, and Acme Boston's site logistics.
use crate::model::replacement::{LogisticsFields, PartType, ReturnMethod, Stage, RETURN_DAYS};
use crate::model::AppError;
use crate::server::cases::site_holidays;
use crate::server::db::ms_to_dt;
use crate::server::ids::new_id;
use crate::server::replacements::{
    case_event, commitment_words, load, not_found, sla_error, upsert_logistics, DAY_MS,
};
use crate::server::rows::Flag;
use crate::sla::{delivery_due, DeliveryDue, ProgramSet};
use sqlx::AnyConnection;

const MIN: i64 = 60_000;

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

/// The people the demo replacements name.
struct People {
    admin: String,
    engineer: String,
}

/// Demo site logistics for Acme Boston (Acme Frankfurt is left without, so a technician
/// dispatch there shows the refusal) and the demo replacements, in the seeding transaction.
pub(crate) async fn seed_demo(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    now: i64,
) -> Result<(), AppError> {
    let boston: String = sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Boston DC'")
        .fetch_one(&mut *conn)
        .await?;
    let people = People {
        admin: user_id(
            conn,
            "SELECT id FROM users WHERE email = 'admin@acme.example'",
        )
        .await?,
        engineer: user_id(
            conn,
            "SELECT id FROM users WHERE email = 'engineer@support.example'",
        )
        .await?,
    };
    let boston_logistics = LogisticsFields {
        datacenter_address: "1 Summer Street, Boston, MA 02110, USA; loading dock on Chauncy Street".into(),
        grid_coordinates: "Data hall 2, row C, rack C14, units 20-28".into(),
        access_instructions: "Photo ID at the security desk; technicians are escorted. Name the case number at the gate; no access 02:00-04:00 (maintenance window).".into(),
        delivery_contact_name: "Dock office (Marco Ruiz)".into(),
        delivery_contact_phone: "+1 617 555 0150".into(),
    };
    upsert_logistics(
        &mut *conn,
        &boston,
        &boston_logistics,
        Some(&people.admin),
        now,
    )
    .await?;
    for d in DEMO {
        seed_one(conn, programs, &people, d, now).await?;
    }
    Ok(())
}

async fn user_id(conn: &mut AnyConnection, sql: &str) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(sql).fetch_one(&mut *conn).await?)
}

/// The demo case a replacement is on, with what its delivery commitment is computed from.
#[derive(sqlx::FromRow)]
struct DemoCaseRow {
    id: String,
    organization_id: String,
    array_id: String,
    site_id: String,
    program_id: String,
    plan_id: String,
    time_zone: String,
    #[sqlx(try_from = "i64")]
    six: Flag,
}

/// One replacement, as if dispatched (and shipped, delivered) that long ago, with its
/// "dispatched" timeline entry.
async fn seed_one(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    people: &People,
    d: &DemoReplacement,
    now: i64,
) -> Result<(), AppError> {
    let case: DemoCaseRow = sqlx::query_as(
        "SELECT c.id, c.organization_id, c.array_id, c.site_id, a.program_id, a.plan_id, \
                s.time_zone, CASE WHEN s.six_hour_radius THEN 1 ELSE 0 END AS six \
         FROM cases c JOIN arrays a ON a.id = c.array_id JOIN sites s ON s.id = c.site_id \
         WHERE c.subject = $1",
    )
    .bind(d.case_subject)
    .fetch_one(&mut *conn)
    .await?;
    let dispatched = now - d.dispatched_ago * MIN;
    let holidays = site_holidays(conn, &case.site_id).await?;
    let due = delivery_due(
        programs,
        &case.program_id,
        &case.plan_id,
        ms_to_dt(dispatched)?,
        &case.time_zone,
        holidays,
        case.six.0,
    )
    .map_err(sla_error)?;
    let id = new_id();
    insert(conn, &id, &case, people, d, &due, now).await?;
    let row = load(conn, &id).await?.ok_or_else(not_found)?;
    let body = format!(
        "Replacement dispatched: {} for {}. {}",
        row.title(),
        row.array_name,
        commitment_words(&due, &case.time_zone)
    );
    case_event(
        conn,
        &case.id,
        Some(&people.engineer),
        Stage::Dispatched,
        &body,
        dispatched,
    )
    .await
}

async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    case: &DemoCaseRow,
    people: &People,
    d: &DemoReplacement,
    due: &DeliveryDue,
    now: i64,
) -> Result<(), AppError> {
    let dispatched = now - d.dispatched_ago * MIN;
    let delivered = d.delivered_ago.map(|m| now - m * MIN);
    let stage = match (d.shipped_ago, delivered) {
        (_, Some(_)) => Stage::Delivered,
        (Some(_), None) => Stage::Shipped,
        (None, None) => Stage::Dispatched,
    };
    sqlx::query(
        "INSERT INTO replacements (id, organization_id, case_id, array_id, site_id, part_type, \
             part_number, quantity, technician_required, return_method, drive_retention, \
             stage, created_by, diagnosed_at, dispatched_at, delivery_json, delivery_due_at, \
             carrier, tracking_number, shipped_at, delivered_at, access_confirmed_at, \
             access_confirmed_by, return_due_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21, $22, $23, $24)",
    )
    .bind(id)
    .bind(&case.organization_id)
    .bind(&case.id)
    .bind(&case.array_id)
    .bind(&case.site_id)
    .bind(d.part_type.as_str())
    .bind(d.part_number)
    .bind(d.quantity)
    .bind(d.technician)
    .bind(d.return_method.as_str())
    .bind(stage.as_str())
    .bind(&people.engineer)
    .bind(dispatched - 15 * MIN)
    .bind(dispatched)
    .bind(serde_json::to_string(due).map_err(|e| AppError::Internal(e.to_string()))?)
    .bind(due.due.map(|t| t.timestamp_millis()))
    .bind(d.shipped_ago.map(|_| d.carrier))
    .bind(d.shipped_ago.map(|_| d.tracking))
    .bind(d.shipped_ago.map(|m| now - m * MIN))
    .bind(delivered)
    .bind(d.access_confirmed.then_some(dispatched - 10 * MIN))
    .bind(d.access_confirmed.then_some(people.admin.as_str()))
    .bind(
        delivered
            .filter(|_| !d.technician)
            .map(|t| t + RETURN_DAYS * DAY_MS),
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
