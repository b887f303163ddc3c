//! The pages' reads: the replacements page, a case's panel and the late-deliveries flag.
use super::queries::{self, ArrayChoiceRow, SiteRow};
use super::row::{load_where, ReplacementRow};
use super::times::opt_dt;
use super::view::view;
use crate::model::replacement::{
    ArrayChoice, CaseReplacements, LateDeliveries, Replacement, ReplacementsOverview, SiteLogistics,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{admin_of, viewer_org};
use crate::server::cases::{can_see, load_case};
use crate::server::site_access::acting_sites;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// Finished replacements shown on the page.
const FINISHED_LIMIT: usize = 50;

/// Open replacements first, the earliest delivery due first (then the oldest); finished ones
/// after them, the latest first.
fn sorted(mut rows: Vec<ReplacementRow>) -> Vec<ReplacementRow> {
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
    let (open, done): (Vec<ReplacementRow>, Vec<ReplacementRow>) =
        rows.into_iter().partition(|r| !r.stage.is_final());
    open.into_iter()
        .chain(done.into_iter().take(FINISHED_LIMIT))
        .collect()
}

/// The rows as the viewer sees them; a contact acts only on those of the sites where they may
/// act (`site_access`), and reads the rest.
async fn views(
    pool: &AnyPool,
    rows: &[ReplacementRow],
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<Vec<Replacement>, AppError> {
    let acting: Vec<String> = acting_sites(&mut *pool.acquire().await?, user)
        .await?
        .into_iter()
        .map(|s| s.site_id)
        .collect();
    rows.iter()
        .map(|r| view(r, user, acting.contains(&r.site_id), now))
        .collect()
}

fn site_logistics(r: SiteRow, user: &CurrentUser) -> Result<SiteLogistics, AppError> {
    Ok(SiteLogistics {
        site_id: r.id,
        site_name: r.name,
        organization_name: r.organization_name,
        time_zone: r.time_zone,
        missing: r
            .logistics
            .missing()
            .iter()
            .map(|m| m.to_string())
            .collect(),
        fields: r.logistics,
        updated_at: opt_dt(r.updated_at)?,
        updated_by: r.updated_by,
        can_edit: admin_of(user, &r.organization_id),
    })
}

/// The replacements page: the viewer's organization's replacements (every organization's for
/// staff) and its sites' logistics.
pub async fn overview(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<ReplacementsOverview, AppError> {
    // Staff read every organization: the SQL takes the empty id as "any".
    let org = viewer_org(user)?.unwrap_or_default().to_string();
    let rows = sorted(load_where(pool, "($1 = '' OR r.organization_id = $1)", &org, None).await?);
    let now = Utc::now();
    let sites = queries::sites(pool, &org)
        .await?
        .into_iter()
        .map(|r| site_logistics(r, user))
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ReplacementsOverview {
        replacements: views(pool, &rows, user, now).await?,
        sites,
        is_staff: user.role.is_staff(),
        now,
    })
}

fn array_choice(r: ArrayChoiceRow) -> ArrayChoice {
    ArrayChoice {
        label: format!("{} ({}) · {}", r.name, r.serial, r.site_name),
        id: r.id,
    }
}

/// The replacements panel of a case; support also gets the create form's arrays.
pub async fn for_case(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
) -> Result<CaseReplacements, AppError> {
    viewer_org(user)?;
    let mut conn = pool.acquire().await?;
    let case = load_case(&mut conn, case_id.trim())
        .await?
        .filter(|c| can_see(user, c))
        .ok_or_else(|| AppError::NotFound("Case".into()))?;
    drop(conn);
    let rows = sorted(load_where(pool, "r.case_id = $1", &case.id, None).await?);
    let staff = user.role.is_staff();
    let mut arrays: Vec<ArrayChoice> = if staff {
        queries::hardware_arrays(pool, &case.organization_id)
            .await?
            .into_iter()
            .map(array_choice)
            .collect()
    } else {
        Vec::new()
    };
    arrays.sort_by_key(|a| a.id != case.array_id);
    let now = Utc::now();
    Ok(CaseReplacements {
        replacements: views(pool, &rows, user, now).await?,
        can_create: staff && case.status.is_open() && !arrays.is_empty(),
        arrays,
        now,
    })
}

/// Parts on their way past their committed delivery time: the support queue's and the
/// customer dashboard's flag.
pub async fn late(pool: &AnyPool, user: &CurrentUser) -> Result<LateDeliveries, AppError> {
    let org = viewer_org(user)?.unwrap_or_default().to_string();
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
        replacements: views(pool, &rows, user, now).await?,
        is_staff: user.role.is_staff(),
        now,
    })
}
