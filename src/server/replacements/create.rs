//! Support records a diagnosed part on a case.
use super::dispatch::sla_error;
use super::queries::{self, ArrayRow, Diagnosed};
use super::transition::case_event;
use crate::model::case::CaseStatus;
use crate::model::replacement::{PartType, ReturnMethod, Stage, CODE_MAX, QUANTITY_MAX, TEXT_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::cases::{load_case, optional_text, require_staff, required_text};
use crate::server::db::WriteTx;
use crate::server::ids::{new_id, now_ms};
use crate::sla::{ProgramSet, SlaError};
use serde_json::json;
use sqlx::AnyPool;

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
    let target = case_and_array(pool, input).await?;
    check_delivery_rule(programs, &target.array)?;
    let part = checked_part(input)?;
    let id = new_id();
    let now = now_ms();
    let new = Diagnosed {
        id: &id,
        organization_id: &target.organization_id,
        case_id: &target.case_id,
        array_id: &target.array_id,
        site_id: &target.array.site_id,
        part_type: part.part_type,
        part_number: &part.part_number,
        quantity: input.quantity,
        description: &part.description,
        technician_required: input.technician_required,
        return_method: part.return_method,
        drive_retention: input.drive_retention,
        created_by: &user.id,
        at: now,
    };
    let mut tx = crate::server::db::begin_write(pool).await?;
    queries::insert_diagnosed(&mut tx, &new).await?;
    let body = diagnosed_words(&new, &target.array.name);
    case_event(
        &mut tx,
        new.case_id,
        Some(&user.id),
        Stage::Diagnosed,
        &body,
        now,
    )
    .await?;
    audit_created(&mut tx, &new).await?;
    tx.commit().await?;
    Ok(id)
}

/// The case and the array the part is replaced in.
struct Target {
    case_id: String,
    organization_id: String,
    array_id: String,
    array: ArrayRow,
}

/// The open case, and its own array or another hardware array of its organization.
async fn case_and_array(pool: &AnyPool, input: &NewReplacement) -> Result<Target, AppError> {
    let mut conn = pool.acquire().await?;
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
    let array = queries::array(&mut conn, &array_id)
        .await?
        .filter(|a| a.organization_id == case.organization_id)
        .ok_or_else(|| {
            AppError::invalid(
                "array_id",
                "Choose one of the case's organization's arrays.",
            )
        })?;
    drop(conn);
    if array.product_line != "array" {
        return Err(AppError::invalid(
            "array_id",
            "Only hardware arrays have replacement parts.",
        ));
    }
    Ok(Target {
        case_id: case.id,
        organization_id: case.organization_id,
        array_id,
        array,
    })
}

/// The array's support plan must include hardware replacement.
fn check_delivery_rule(programs: &ProgramSet, array: &ArrayRow) -> Result<(), AppError> {
    let has_rule = programs
        .program(&array.program_id)
        .and_then(|p| p.plan(&array.plan_id))
        .map(|p| p.delivery.is_some())
        .unwrap_or(false);
    if !has_rule {
        return Err(sla_error(SlaError::NoDeliveryRule {
            program: array.program_id.clone(),
            plan: array.plan_id.clone(),
        }));
    }
    Ok(())
}

/// The part as checked from the form.
struct Part {
    part_type: PartType,
    part_number: String,
    description: String,
    return_method: ReturnMethod,
}

fn checked_part(input: &NewReplacement) -> Result<Part, AppError> {
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
    Ok(Part {
        part_type,
        part_number,
        description,
        return_method,
    })
}

/// "Replacement diagnosed: Drive DFM-9.1TB × 2 for boston-prod-01. A field technician …"
fn diagnosed_words(new: &Diagnosed<'_>, array_name: &str) -> String {
    let mut body = format!(
        "Replacement diagnosed: {} {} for {array_name}.",
        new.part_type.label(),
        new.part_number
    );
    if new.quantity > 1 {
        body = body.replace(" for ", &format!(" × {} for ", new.quantity));
    }
    if new.technician_required {
        body.push_str(" A field technician will replace it.");
    }
    body
}

async fn audit_created(tx: &mut WriteTx, new: &Diagnosed<'_>) -> Result<(), AppError> {
    crate::server::audit::record(
        tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(new.organization_id),
            actor: Some(new.created_by),
            action: "replacement.create",
            entity: "replacement",
            entity_id: new.id,
            before: None,
            after: Some(json!({
                "stage": "diagnosed",
                "case_id": new.case_id,
                "array_id": new.array_id,
                "part_type": new.part_type.as_str(),
                "part_number": new.part_number,
                "quantity": new.quantity,
                "technician_required": new.technician_required,
                "return_method": new.return_method.as_str(),
                "drive_retention": new.drive_retention,
            })),
            at: new.at,
        },
    )
    .await
}
