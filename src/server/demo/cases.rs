//! Seeds the demo cases: each opened through the real insert, its timeline replayed, its
//! deadlines computed, and the root-cause-analysis follow-up created where the job would have.
use super::case_data::{By, DemoCase, DemoEvent, CASES};
use super::DemoError;
use crate::model::case::{case_number_label, CaseEventKind as K, CaseStatus};
use crate::server::cases;
use crate::server::ids::new_id;
use crate::sla::ProgramSet;
use sqlx::AnyConnection;

async fn id_of(conn: &mut AnyConnection, sql: &str, key: &str) -> Result<String, DemoError> {
    Ok(sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(&mut *conn)
        .await?)
}

pub(super) async fn seed_cases(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    now: i64,
) -> Result<(), DemoError> {
    let engineer = id_of(
        conn,
        "SELECT id FROM users WHERE email = $1",
        "engineer@support.example",
    )
    .await?;
    for c in CASES {
        seed_case(conn, programs, c, &engineer, now).await?;
    }
    Ok(())
}

/// The array a demo case is about, with its site and organization.
#[derive(sqlx::FromRow)]
struct CaseArray {
    id: String,
    site_id: String,
    organization_id: String,
}

async fn seed_case(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    c: &DemoCase,
    engineer: &str,
    now: i64,
) -> Result<(), DemoError> {
    let opener = id_of(conn, "SELECT id FROM users WHERE email = $1", c.opener).await?;
    let array: CaseArray = sqlx::query_as(
        "SELECT a.id, a.site_id, s.organization_id FROM arrays a JOIN sites s ON s.id = a.site_id \
         WHERE a.name = $1",
    )
    .bind(c.array)
    .fetch_one(&mut *conn)
    .await?;
    let id = new_id();
    let opened_at = now - c.minutes_ago * 60_000;
    let number = cases::next_case_number(conn).await?;
    let sev1 = c.severity == 1
        || c.events
            .iter()
            .any(|e| e.kind == K::SeverityChange && e.value == Some("1"));
    cases::insert_case(
        conn,
        &cases::CaseInsert {
            id: &id,
            number,
            organization_id: &array.organization_id,
            site_id: &array.site_id,
            array_id: &array.id,
            opened_by: Some(&opener),
            subject: c.subject,
            description: c.description,
            business_impact: c.business_impact,
            severity: c.severity,
            sev1_contact_name: sev1.then_some("Nina Night"),
            sev1_contact_phone: sev1.then_some("+1 617 555 0199"),
            opened_at,
            opened_from_alert: false,
            rca_parent_case_id: None,
        },
    )
    .await?;
    let people = People {
        opener: &opener,
        engineer,
    };
    let state = replay(conn, &id, c, &people, opened_at, now).await?;
    state.store(conn, &id).await?;
    let computed = cases::refresh(conn, programs, &id).await?;
    if c.rca {
        let at = computed
            .deadlines
            .restored_at
            .map(|t| t.timestamp_millis() + 30_000)
            .unwrap_or(now);
        let severity = computed
            .deadlines
            .rca_follow_up_severity
            .map(|s| s.get())
            .unwrap_or(3);
        let parent = Parent {
            id: &id,
            number,
            array: &array,
            subject: c.subject,
        };
        seed_rca(conn, programs, &parent, severity, at).await?;
    }
    Ok(())
}

/// Who wrote a demo case's timeline entries.
struct People<'a> {
    opener: &'a str,
    engineer: &'a str,
}

/// Where a demo case's timeline leaves it.
struct State {
    status: CaseStatus,
    severity: String,
    closed_at: Option<i64>,
    close_reason: Option<&'static str>,
    last_at: i64,
}

impl State {
    /// The timeline entry for `e` at `at`, moving the state as the entry does.
    fn apply<'a>(
        &mut self,
        e: &'a DemoEvent,
        actor: &'a str,
        at: i64,
    ) -> Result<cases::NewEvent<'a>, DemoError> {
        self.last_at = self.last_at.max(at);
        let mut new = cases::NewEvent::new(e.kind, Some(actor), e.body);
        if e.kind.sets_status() {
            let to: CaseStatus = e.value.unwrap_or("new").parse()?;
            new = new.change(self.status.as_str(), to.as_str());
            self.status = to;
            self.closed_at = (to == CaseStatus::Closed).then_some(at);
            self.close_reason = match e.kind {
                K::ResolutionConfirmed => Some("Resolution confirmed by the customer."),
                _ => self.closed_at.map(|_| "Closed by support."),
            };
        } else if e.kind == K::SeverityChange {
            let to = e.value.unwrap_or("4").to_string();
            new = new.change(self.severity.clone(), to.clone());
            self.severity = to;
        } else {
            new.new_value = e.value.map(str::to_string);
        }
        if e.kind == K::SupportUpdate && self.status == CaseStatus::New {
            self.status = CaseStatus::InProgress;
        }
        Ok(new)
    }

    async fn store(&self, conn: &mut AnyConnection, id: &str) -> Result<(), DemoError> {
        sqlx::query(
            "UPDATE cases SET status = $2, severity = $3, closed_at = $4, close_reason = $5, \
                    updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(self.status.as_str())
        .bind(self.severity.parse::<i64>().unwrap_or(4))
        .bind(self.closed_at)
        .bind(self.close_reason)
        .bind(self.last_at)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// Writes the case's timeline (and its surveys), returning where it leaves the case.
async fn replay(
    conn: &mut AnyConnection,
    id: &str,
    c: &DemoCase,
    people: &People<'_>,
    opened_at: i64,
    now: i64,
) -> Result<State, DemoError> {
    let mut state = State {
        status: CaseStatus::New,
        severity: c.severity.to_string(),
        closed_at: None,
        close_reason: None,
        last_at: opened_at,
    };
    for e in c.events {
        let at = now - e.minutes_ago * 60_000;
        let actor = match e.by {
            By::Opener => people.opener,
            By::Engineer => people.engineer,
        };
        let new = state.apply(e, actor, at)?;
        if e.kind == K::Survey {
            sqlx::query(
                "INSERT INTO case_surveys (case_id, rating, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(e.value.and_then(|v| v.parse::<i64>().ok()).unwrap_or(5))
            .bind(e.body)
            .bind(people.opener)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        cases::insert_event(conn, id, at, new).await?;
    }
    Ok(state)
}

/// The Severity 1 case a root-cause-analysis follow-up is opened for.
struct Parent<'a> {
    id: &'a str,
    number: i64,
    array: &'a CaseArray,
    subject: &'a str,
}

/// The follow-up case, linked both ways on the timelines, as the job opens it.
async fn seed_rca(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    parent: &Parent<'_>,
    severity: u8,
    at: i64,
) -> Result<(), DemoError> {
    let child = new_id();
    let child_number = cases::next_case_number(conn).await?;
    let subject = format!("Root cause analysis: {}", parent.subject);
    let description = format!(
        "Follow-up of {} (Severity 1, resolved). Support delivers the root cause analysis here.",
        case_number_label(parent.number)
    );
    cases::insert_case(
        conn,
        &cases::CaseInsert {
            id: &child,
            number: child_number,
            organization_id: &parent.array.organization_id,
            site_id: &parent.array.site_id,
            array_id: &parent.array.id,
            opened_by: None,
            subject: &subject,
            description: &description,
            business_impact: "",
            severity,
            sev1_contact_name: None,
            sev1_contact_phone: None,
            opened_at: at,
            opened_from_alert: false,
            rca_parent_case_id: Some(parent.id),
        },
    )
    .await?;
    let mut e = cases::NewEvent::new(K::RcaCreated, None, "Root cause analysis follow-up.");
    e.new_value = Some(case_number_label(child_number));
    cases::insert_event(conn, parent.id, at, e).await?;
    let mut e = cases::NewEvent::new(K::RcaCreated, None, "Root cause analysis follow-up.");
    e.new_value = Some(case_number_label(parent.number));
    cases::insert_event(conn, &child, at, e).await?;
    cases::refresh(conn, programs, &child).await?;
    cases::refresh(conn, programs, parent.id).await?;
    Ok(())
}
