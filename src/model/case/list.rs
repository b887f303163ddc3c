//! The case list: its filters as the address bar carries them, and one page of rows.
use super::{CaseStatus, CaseSummary, CASE_PAGE_SIZE};
use crate::model::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StatusFilter {
    /// Every status but closed.
    #[default]
    Open,
    Closed,
    All,
    Only(CaseStatus),
}

impl StatusFilter {
    pub fn as_param(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Closed => "closed",
            StatusFilter::All => "all",
            StatusFilter::Only(s) => s.as_str(),
        }
    }
}

impl FromStr for StatusFilter {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "open" => Ok(StatusFilter::Open),
            "closed" => Ok(StatusFilter::Closed),
            "all" => Ok(StatusFilter::All),
            other => other.parse().map(StatusFilter::Only),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Nearest pending deadline first; cases without one last.
    #[default]
    NextDeadline,
    OpenedDesc,
    /// Most severe first, then nearest deadline.
    Severity,
}

impl CaseSort {
    pub fn as_param(self) -> &'static str {
        match self {
            CaseSort::NextDeadline => "next_deadline",
            CaseSort::OpenedDesc => "opened_desc",
            CaseSort::Severity => "severity",
        }
    }
}

impl FromStr for CaseSort {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "next_deadline" => Ok(CaseSort::NextDeadline),
            "opened_desc" => Ok(CaseSort::OpenedDesc),
            "severity" => Ok(CaseSort::Severity),
            _ => Err(AppError::invalid("sort", "Choose a valid sort order.")),
        }
    }
}

/// Filters of the case list. The default is what the list opens on: open cases by next deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseListQuery {
    pub status: StatusFilter,
    pub severity: Option<u8>,
    pub site_id: Option<String>,
    /// Matched against the subject (substring, case-insensitive) and the case number.
    pub search: Option<String>,
    pub sort: CaseSort,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

impl Default for CaseListQuery {
    fn default() -> Self {
        CaseListQuery {
            status: StatusFilter::Open,
            severity: None,
            site_id: None,
            search: None,
            sort: CaseSort::NextDeadline,
            page: 1,
            page_size: CASE_PAGE_SIZE,
        }
    }
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl CaseListQuery {
    /// Builds a query from URL or form parameters; empty values mean "no filter".
    pub fn from_params(
        status: Option<&str>,
        severity: Option<&str>,
        site_id: Option<&str>,
        search: Option<&str>,
        sort: Option<&str>,
        page: Option<&str>,
    ) -> Result<CaseListQuery, AppError> {
        let status = non_empty(status)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let severity = match non_empty(severity) {
            None => None,
            Some(s) => Some(
                s.parse::<u8>()
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or_else(|| AppError::invalid("severity", "Severity must be 1 to 4."))?,
            ),
        };
        let sort = non_empty(sort)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let page = match non_empty(page) {
            None => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| AppError::invalid("page", "Page must be a positive number."))?,
        };
        let search = non_empty(search).map(|s| s.chars().take(200).collect());
        Ok(CaseListQuery {
            status,
            severity,
            site_id: non_empty(site_id).map(str::to_string),
            search,
            sort,
            page,
            page_size: CASE_PAGE_SIZE,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    pub rows: Vec<CaseSummary>,
    /// The server's clock when it answered: the page rendered on the server and the hydrated
    /// page start their countdowns from the same instant.
    pub now: DateTime<Utc>,
    /// Cases matching the filters, over all pages.
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl CaseList {
    pub fn page_count(&self) -> u32 {
        let size = i64::from(self.page_size.max(1));
        ((self.total + size - 1) / size).max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_parses_and_rejects() {
        let q = CaseListQuery::from_params(None, Some(""), None, Some("  "), None, None).unwrap();
        assert_eq!(q, CaseListQuery::default());
        let q = CaseListQuery::from_params(
            Some("waiting_on_customer"),
            Some("2"),
            Some("s1"),
            Some("disk"),
            Some("severity"),
            Some("3"),
        )
        .unwrap();
        assert_eq!(q.status, StatusFilter::Only(CaseStatus::WaitingOnCustomer));
        assert_eq!(q.severity, Some(2));
        assert_eq!(q.page, 3);
        assert_eq!(
            CaseListQuery::from_params(None, Some("7"), None, None, None, None)
                .unwrap_err()
                .field(),
            Some("severity")
        );
        assert!(CaseListQuery::from_params(Some("bogus"), None, None, None, None, None).is_err());
    }
}
