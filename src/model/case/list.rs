//! The case list: its filters as the address bar carries them, and one page of rows.
use super::{parse_case_number, CaseStatus, CaseSummary, CASE_PAGE_SIZE};
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

/// Support's queue by owner: anyone's, the viewer's own cases, or nobody's yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OwnerFilter {
    #[default]
    Anyone,
    Mine,
    Unassigned,
}

impl OwnerFilter {
    pub fn as_param(self) -> &'static str {
        match self {
            OwnerFilter::Anyone => "",
            OwnerFilter::Mine => "mine",
            OwnerFilter::Unassigned => "unassigned",
        }
    }
}

impl FromStr for OwnerFilter {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "anyone" => Ok(OwnerFilter::Anyone),
            "mine" => Ok(OwnerFilter::Mine),
            "unassigned" => Ok(OwnerFilter::Unassigned),
            _ => Err(AppError::invalid(
                "owner",
                "Choose anyone's, your own or unassigned cases.",
            )),
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
    /// Support's queue only: whose cases (a customer's list refuses anything but anyone's).
    pub owner: OwnerFilter,
    pub sort: CaseSort,
    /// 1-based; a label carried by the page links, honoured only with a cursor.
    pub page: u32,
    pub page_size: u32,
    /// Where the page starts: after or before a case of the previous page (keyset paging, so a
    /// deep page costs what the first does).
    pub cursor: Option<Cursor>,
}

/// A position in the list: the case number of the row the page continues from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    After(i64),
    Before(i64),
}

/// The list's parameters as the address bar or a form carries them; empty means "no filter".
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParams<'a> {
    pub status: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub site_id: Option<&'a str>,
    pub search: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub page: Option<&'a str>,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
}

impl Default for CaseListQuery {
    fn default() -> Self {
        CaseListQuery {
            status: StatusFilter::Open,
            severity: None,
            site_id: None,
            search: None,
            owner: OwnerFilter::Anyone,
            sort: CaseSort::NextDeadline,
            page: 1,
            page_size: CASE_PAGE_SIZE,
            cursor: None,
        }
    }
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl CaseListQuery {
    /// Builds a query from URL or form parameters; empty values mean "no filter".
    pub fn from_params(p: &ListParams<'_>) -> Result<CaseListQuery, AppError> {
        let status = non_empty(p.status)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let severity = match non_empty(p.severity) {
            None => None,
            Some(s) => Some(
                s.parse::<u8>()
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or_else(|| AppError::invalid("severity", "Severity must be 1 to 4."))?,
            ),
        };
        let sort = non_empty(p.sort)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let owner = non_empty(p.owner)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let case_number = |field: &'static str, v: &str| {
            parse_case_number(v)
                .ok_or_else(|| AppError::invalid(field, "Give a case number such as CS-001042."))
        };
        let cursor = match (non_empty(p.after), non_empty(p.before)) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "before",
                    "Give either after or before, not both.",
                ))
            }
            (Some(a), None) => Some(Cursor::After(case_number("after", a)?)),
            (None, Some(b)) => Some(Cursor::Before(case_number("before", b)?)),
            (None, None) => None,
        };
        let page = match non_empty(p.page) {
            None => 1,
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| AppError::invalid("page", "Page must be a positive number."))?,
        };
        let search = non_empty(p.search).map(|s| s.chars().take(200).collect());
        Ok(CaseListQuery {
            status,
            severity,
            site_id: non_empty(p.site_id).map(str::to_string),
            search,
            owner,
            sort,
            // Without a cursor the list starts at its first row, whatever the label says.
            page: if cursor.is_some() { page } else { 1 },
            page_size: CASE_PAGE_SIZE,
            cursor,
        })
    }
}

/// Counting stops here: "10,000+ cases" costs what "10,000" does, however long the history.
pub const COUNT_CAP: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    pub rows: Vec<CaseSummary>,
    /// The server's clock when it answered: the page rendered on the server and the hydrated
    /// page start their countdowns from the same instant.
    pub now: DateTime<Utc>,
    /// Cases matching the filters over all pages, counted up to `COUNT_CAP` (then
    /// `total_capped`: there are more).
    pub total: i64,
    pub total_capped: bool,
    pub page: u32,
    pub page_size: u32,
    pub has_previous: bool,
    pub has_next: bool,
}

impl CaseList {
    /// The number of pages, when the count is exact.
    pub fn page_count(&self) -> Option<u32> {
        let size = i64::from(self.page_size.max(1));
        (!self.total_capped)
            .then(|| u32::try_from(((self.total + size - 1) / size).max(1)).unwrap_or(u32::MAX))
    }

    /// "26 cases", "10,000+ cases".
    pub fn total_label(&self) -> String {
        let n = group_thousands(self.total);
        let plus = if self.total_capped { "+" } else { "" };
        let s = if self.total == 1 && !self.total_capped {
            ""
        } else {
            "s"
        };
        format!("{n}{plus} case{s}")
    }

    /// The case numbers the neighbouring pages continue from.
    pub fn first_number(&self) -> Option<i64> {
        self.rows.first().map(|r| r.number)
    }
    pub fn last_number(&self) -> Option<i64> {
        self.rows.last().map(|r| r.number)
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_parses_and_rejects() {
        let parse = |p: ListParams<'_>| CaseListQuery::from_params(&p);
        let q = parse(ListParams {
            severity: Some(""),
            search: Some("  "),
            page: Some("4"),
            ..ListParams::default()
        })
        .unwrap();
        assert_eq!(q, CaseListQuery::default(), "no cursor: the first page");
        let q = parse(ListParams {
            status: Some("waiting_on_customer"),
            severity: Some("2"),
            site_id: Some("s1"),
            search: Some("disk"),
            owner: Some("mine"),
            sort: Some("severity"),
            page: Some("3"),
            after: Some("CS-001042"),
            before: None,
        })
        .unwrap();
        assert_eq!(q.status, StatusFilter::Only(CaseStatus::WaitingOnCustomer));
        assert_eq!(q.severity, Some(2));
        assert_eq!(q.owner, OwnerFilter::Mine);
        assert_eq!((q.page, q.cursor), (3, Some(Cursor::After(1042))));
        let field = |p: ListParams<'_>| parse(p).unwrap_err().field().map(str::to_string);
        let sev7 = ListParams {
            severity: Some("7"),
            ..ListParams::default()
        };
        assert_eq!(field(sev7).as_deref(), Some("severity"));
        let bad_after = ListParams {
            after: Some("x"),
            ..ListParams::default()
        };
        assert_eq!(field(bad_after).as_deref(), Some("after"));
        let both = ListParams {
            after: Some("1"),
            before: Some("2"),
            ..ListParams::default()
        };
        assert_eq!(field(both).as_deref(), Some("before"));
        let bad_owner = ListParams {
            owner: Some("everyone"),
            ..ListParams::default()
        };
        assert_eq!(field(bad_owner).as_deref(), Some("owner"));
        assert!(parse(ListParams {
            status: Some("bogus"),
            ..ListParams::default()
        })
        .is_err());
    }
}
