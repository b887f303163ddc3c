//! The case's owner over the real router, on SQLite and PostgreSQL, as a browser without
//! JavaScript meets it: support's "Take it" posts, lands back on the case saying who owns it,
//! and the customer's page reads "Your engineer: Sam Support" ("The original TSE, however,
//! remains as the point of contact for the customer."). A made-up engineer is a 422 by the field.
use super::confirmations::{login, page, post, send};
use crate::helpers::{self, user};

use http::StatusCode;
use portal::model::case::NewCase;
use portal::server::cases;
use portal::sla::ProgramSet;

#[tokio::test]
async fn the_customer_page_names_the_engineer_who_took_the_case() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        let caller = user(&db.pool, "caller@acme.example").await;
        let array: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
            .bind("FlashArray//X70 boston-prod-01")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let input = NewCase {
            array_id: array,
            severity: 3,
            subject: "Snapshots fail nightly".into(),
            description: "The 02:00 snapshot policy fails on two volumes.".into(),
            ..NewCase::default()
        };
        let programs = ProgramSet::builtin().unwrap();
        let id = cases::create_case(&db.pool, &programs, &caller, &input)
            .await
            .unwrap()
            .id;
        let case_page = format!("/cases/{id}");
        let customer = login(&app, "caller@acme.example", "acme-caller-demo").await;
        let html = send(&app, page(&case_page, &customer)).await.body;
        assert!(html.contains("Your engineer: Not yet assigned"), "{b}");
        assert!(!html.contains("Take it"), "{b}: customers never assign");

        let engineer = login(&app, "engineer@support.example", "support-demo").await;
        let html = send(&app, page(&case_page, &engineer)).await.body;
        assert!(html.contains(">Take it<"), "{b}");
        assert!(
            html.contains("<label for=\"assign-engineer\">Assign to</label>"),
            "{b}"
        );

        let made_up = format!("case_id={id}&engineer_id=nobody-at-all");
        let json = "application/json";
        let r = send(
            &app,
            post("/api/cases/assign", &made_up, &engineer, json, &case_page),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.body
        );
        assert!(r.body.contains("engineer_id"), "{b}: {}", r.body);

        let take = format!("case_id={id}");
        let r = send(
            &app,
            post("/api/cases/take", &take, &engineer, "text/html", &case_page),
        )
        .await;
        assert!(r.status.is_redirection(), "{b}: {} {}", r.status, r.body);
        assert_eq!(r.location, format!("{case_page}?owner_changed=1"), "{b}");
        let done = send(&app, page(&r.location, &engineer)).await.body;
        let status_at = done.find("role=\"status\"").expect("a confirmation");
        assert!(
            done[status_at..].contains("Sam Support owns this case now."),
            "{b}"
        );

        let html = send(&app, page(&case_page, &customer)).await.body;
        assert!(html.contains("Your engineer: Sam Support"), "{b}");
        assert!(
            html.contains("Owner: — → Sam Support"),
            "{b}: the timeline says so"
        );
    }
}
