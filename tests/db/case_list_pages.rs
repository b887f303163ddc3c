//! The case list read a page at a time from a position (keyset paging), on SQLite and
//! PostgreSQL: for every sort and status view, for a customer and for support's queue, walking
//! forward page by page and back again gives exactly the one-page answer, ties (every case
//! without a deadline shares one sort key) included; a position the user may not see starts
//! from the beginning; the count stops at its cap.
use crate::helpers::{self, user};

use portal::model::case::{CaseList, CaseListQuery, CaseSort, Cursor, StatusFilter};
use portal::model::CurrentUser;
use portal::server::cases;
use sqlx::AnyPool;

const ACME_CALLER: &str = "caller@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";

async fn page(pool: &AnyPool, who: &CurrentUser, q: &CaseListQuery) -> CaseList {
    cases::list_cases(pool, who, q).await.expect("list")
}

fn numbers(l: &CaseList) -> Vec<i64> {
    l.rows.iter().map(|r| r.number).collect()
}

/// Every page forward from the first, then every page back from the last.
async fn walk(pool: &AnyPool, who: &CurrentUser, base: &CaseListQuery) -> (Vec<i64>, Vec<i64>) {
    let mut forward = Vec::new();
    let mut q = base.clone();
    let mut pages = Vec::new();
    loop {
        let l = page(pool, who, &q).await;
        assert!(l.rows.len() <= base.page_size as usize);
        forward.extend(numbers(&l));
        pages.push(l.page);
        if !l.has_next {
            break;
        }
        q.cursor = Some(Cursor::After(l.last_number().expect("a row")));
        q.page = l.page + 1;
    }
    assert_eq!(
        pages,
        (1..=pages.len() as u32).collect::<Vec<_>>(),
        "pages numbered in order"
    );
    let mut backward = Vec::new();
    let last = page(pool, who, &q).await;
    let mut chunk = numbers(&last);
    let mut l = last;
    loop {
        chunk.extend(backward);
        backward = chunk;
        if !l.has_previous {
            break;
        }
        q.cursor = Some(Cursor::Before(l.first_number().expect("a row")));
        q.page = l.page - 1;
        l = page(pool, who, &q).await;
        chunk = numbers(&l);
    }
    assert_eq!(l.page, 1, "walking back ends on page 1");
    (forward, backward)
}

#[tokio::test]
async fn every_view_pages_forward_and_back_to_the_one_page_answer() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let staff = user(&db.pool, ENGINEER).await;
        let sorts = [
            CaseSort::NextDeadline,
            CaseSort::OpenedDesc,
            CaseSort::Severity,
        ];
        let statuses = [StatusFilter::Open, StatusFilter::Closed, StatusFilter::All];
        let mut walked = 0;
        for who in [&caller, &staff] {
            for sort in sorts {
                for status in statuses {
                    for severity in [None, Some(3)] {
                        let whole = CaseListQuery {
                            status,
                            sort,
                            severity,
                            page_size: 100,
                            ..CaseListQuery::default()
                        };
                        let all = page(&db.pool, who, &whole).await;
                        assert!(!all.has_next, "{b}: the demo fits one page of 100");
                        let small = CaseListQuery {
                            page_size: 2,
                            ..whole.clone()
                        };
                        let (forward, backward) = walk(&db.pool, who, &small).await;
                        let expected = numbers(&all);
                        let view = format!("{b} {} {sort:?} {status:?} {severity:?}", who.email);
                        assert_eq!(forward, expected, "{view}: forward");
                        assert_eq!(backward, expected, "{view}: back");
                        walked += usize::from(expected.len() > 2);
                    }
                }
            }
        }
        assert!(
            walked >= 12,
            "{b}: most views span several pages ({walked})"
        );
    }
}

#[tokio::test]
async fn a_position_the_user_may_not_see_starts_from_the_beginning() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let globex = user(&db.pool, GLOBEX_ADMIN).await;
        let caller = user(&db.pool, ACME_CALLER).await;
        let all = CaseListQuery {
            status: StatusFilter::All,
            ..CaseListQuery::default()
        };
        let acme_case = page(&db.pool, &caller, &all).await.rows[0].number;
        let first = page(&db.pool, &globex, &all).await;
        for cursor in [
            Cursor::After(acme_case),
            Cursor::Before(acme_case),
            Cursor::After(999_999_999),
        ] {
            let q = CaseListQuery {
                cursor: Some(cursor),
                page: 7,
                ..all.clone()
            };
            let l = page(&db.pool, &globex, &q).await;
            assert_eq!(numbers(&l), numbers(&first), "{b}: {cursor:?}");
            assert_eq!((l.page, l.has_previous), (1, false), "{b}: {cursor:?}");
        }
    }
}

/// `n` closed cases of one of the user's organization's arrays, written straight into the table.
async fn add_closed_history(pool: &AnyPool, who: &CurrentUser, n: i64) {
    sqlx::query(
        "INSERT INTO cases (id, number, organization_id, site_id, array_id, subject, \
             description, severity, status, opened_at, updated_at, closed_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         SELECT 'history-' || CAST(n.i AS TEXT), 500000 + n.i, k.organization_id, \
             k.site_id, k.array_id, 'Old question', 'Answered.', 4, 'closed', n.i, n.i, n.i \
         FROM n, (SELECT organization_id, site_id, array_id FROM cases \
                  WHERE organization_id = $2 ORDER BY number LIMIT 1) k",
    )
    .bind(n)
    .bind(who.organization_id.as_deref().expect("an organization"))
    .execute(pool)
    .await
    .expect("history");
}

#[tokio::test]
async fn the_count_stops_at_its_cap() {
    use portal::model::case::COUNT_CAP;
    for db in helpers::seeded().await {
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        add_closed_history(&db.pool, &caller, COUNT_CAP + 1).await;
        let closed = CaseListQuery {
            status: StatusFilter::Closed,
            ..CaseListQuery::default()
        };
        let l = page(&db.pool, &caller, &closed).await;
        assert_eq!((l.total, l.total_capped), (COUNT_CAP, true), "{b}");
        assert_eq!(l.total_label(), "10,000+ cases", "{b}");
        assert_eq!(
            l.page_count(),
            None,
            "{b}: no page count without an exact total"
        );
        assert!(l.has_next, "{b}");
        let open = page(&db.pool, &caller, &CaseListQuery::default()).await;
        assert!(!open.total_capped, "{b}: the open view's count is exact");
    }
}

/// The planner's statistics are refreshed (SQLite; PostgreSQL's autovacuum keeps its own), and
/// with them the count of open cases reads an open-only index instead of every case of the
/// organization (46 ms instead of under 1 at 100,000 cases while SQLite guessed).
#[tokio::test]
async fn statistics_lead_the_open_count_to_an_open_only_index() {
    use sqlx::Row;
    for db in helpers::seeded().await {
        let caller = user(&db.pool, ACME_CALLER).await;
        add_closed_history(&db.pool, &caller, 3_000).await;
        portal::server::db::refresh_statistics(&db.pool)
            .await
            .expect("statistics");
        if db.backend != "sqlite" {
            continue;
        }
        let stats: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'cases'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(stats > 0, "statistics for the cases table");
        let plan = sqlx::query(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM (SELECT 1 FROM cases c \
             WHERE c.organization_id = $1 AND c.status <> 'closed' LIMIT 10001) n",
        )
        .bind(caller.organization_id.as_deref().unwrap())
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let plan: Vec<String> = plan.iter().map(|r| r.get::<String, _>("detail")).collect();
        assert!(plan.iter().any(|l| l.contains("_open_")), "{plan:?}");
    }
}
