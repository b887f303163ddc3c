//! The alerts page: the arrays the viewer may see with their latest alerts.
use super::queries::{self, AlertRow, PageArrayRow};
use super::tokens::tokens_of;
use crate::model::alert::{AlertSeverity, AlertsPage, ArrayAlert, ArrayAlerts, ALERTS_PER_ARRAY};
use crate::model::case::case_number_label;
use crate::model::{AppError, CurrentUser};
use crate::server::access::admin_org;
use sqlx::AnyPool;

/// The arrays the viewer may see, with their latest alerts; the tokens for an admin.
pub async fn page(pool: &AnyPool, user: &CurrentUser) -> Result<AlertsPage, AppError> {
    let org = match (user.role.is_staff(), user.organization_id.as_deref()) {
        (true, _) => None,
        (false, Some(org)) => Some(org),
        (false, None) => return Err(AppError::Forbidden),
    };
    let arrays = queries::page_arrays(pool, org).await?;
    let mut out = Vec::new();
    for a in arrays {
        let alerts = queries::latest_alerts(pool, &a.id, ALERTS_PER_ARRAY)
            .await?
            .into_iter()
            .map(alert_view)
            .collect::<Result<Vec<_>, AppError>>()?;
        out.push(array_view(a, alerts));
    }
    let tokens = match admin_org(user) {
        Ok(org) => Some(tokens_of(pool, org).await?),
        Err(_) => None,
    };
    Ok(AlertsPage {
        arrays: out,
        tokens,
    })
}

fn alert_view(r: AlertRow) -> Result<ArrayAlert, AppError> {
    let severity = AlertSeverity::parse(&r.severity)
        .ok_or_else(|| AppError::Internal(format!("stored alert severity {:?}", r.severity)))?;
    Ok(ArrayAlert {
        alert_id: r.alert_id,
        code: r.code,
        severity,
        summary: r.summary,
        started_at: r.started_at.into(),
        received_at: r.received_at.into(),
        case: r.case_id.zip(r.number.map(case_number_label)),
    })
}

fn array_view(a: PageArrayRow, alerts: Vec<ArrayAlert>) -> ArrayAlerts {
    ArrayAlerts {
        array_name: a.name,
        serial: a.serial,
        site_name: a.site_name,
        organization_name: a.org_name,
        connected: a.connected.into(),
        alerts,
    }
}
