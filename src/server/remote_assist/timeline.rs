//! The sentences a session's start and end write to the linked case's timeline and to
//! notifications, with times in the array's site time zone.
use super::queries::SessionRow;
use crate::model::remote_assist::EndReason;
use crate::model::AppError;
use crate::server::db::ms_to_dt;
use crate::sla::explain::fmt_local;
use chrono_tz::Tz;

fn local(ms: i64, tz: &str) -> Result<String, AppError> {
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    Ok(fmt_local(ms_to_dt(ms)?, zone))
}

pub(super) fn started_body(
    array_name: &str,
    hours: i64,
    deadline: i64,
    tz: &str,
) -> Result<String, AppError> {
    Ok(format!(
        "Remote Assist session started on {array_name} for {hours} h; it ends by itself at {}.",
        local(deadline, tz)?
    ))
}

/// The case event of a started session's end.
pub(super) fn ended_case_body(row: &SessionRow, reason: EndReason) -> Result<String, AppError> {
    Ok(match reason {
        EndReason::Customer => format!(
            "Remote Assist session on {} ended by the customer.",
            row.array_name
        ),
        EndReason::Engineer => {
            format!(
                "Remote Assist session on {} ended by support.",
                row.array_name
            )
        }
        EndReason::TimedOut => format!(
            "Remote Assist session on {} timed out at {}.",
            row.array_name,
            local(row.deadline_at, &row.time_zone)?
        ),
    })
}

/// The notification of a started session's end.
pub(super) fn ended_body(row: &SessionRow) -> String {
    format!("Remote Assist session on {} ended.", row.array_name)
}
