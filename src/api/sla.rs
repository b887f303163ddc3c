use crate::model::AppError;
use crate::sla::ProgramSet;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the SLA calculator needs: the programs the *server* runs (so the browser computes with
/// exactly the same data) and the server's clock as the default opening time, so the page
/// rendered on the server and the hydrated page compute the same answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaReference {
    pub programs: ProgramSet,
    pub now: DateTime<Utc>,
}

/// Public: the support programs are what the vendor's guides publish; no sign-in needed.
#[server(endpoint = "sla/reference")]
pub async fn get_sla_reference() -> Result<SlaReference, AppError> {
    let state = crate::server::auth::app_state()?;
    Ok(SlaReference {
        programs: (*state.programs).clone(),
        now: Utc::now(),
    })
}
