//! Column types for `#[derive(sqlx::FromRow)]` row structs, so a row is read by type instead of
//! column by column. Instants are stored as milliseconds since the epoch (UTC) and booleans
//! computed in SQL as 0/1 integers, because both backends read those the same way through `Any`.
use crate::model::AppError;
use chrono::{DateTime, Utc};

/// A stored instant: `#[sqlx(try_from = "i64")] opened_at: Millis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub DateTime<Utc>);

impl TryFrom<i64> for Millis {
    type Error = AppError;
    fn try_from(ms: i64) -> Result<Self, Self::Error> {
        crate::server::db::ms_to_dt(ms).map(Millis)
    }
}

impl From<Millis> for DateTime<Utc> {
    fn from(m: Millis) -> Self {
        m.0
    }
}

/// A boolean computed as `CASE WHEN … THEN 1 ELSE 0 END`: `#[sqlx(try_from = "i64")] flag: Flag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flag(pub bool);

impl TryFrom<i64> for Flag {
    type Error = AppError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        match v {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            other => Err(AppError::Internal(format!("flag out of range: {other}"))),
        }
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> Self {
        f.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_convert_and_bad_ones_are_errors() {
        assert_eq!(Millis::try_from(0).map(|m| m.0.timestamp()), Ok(0));
        assert!(Millis::try_from(i64::MAX).is_err());
        assert_eq!(Flag::try_from(1), Ok(Flag(true)));
        assert_eq!(Flag::try_from(0), Ok(Flag(false)));
        assert!(Flag::try_from(2).is_err());
    }
}
