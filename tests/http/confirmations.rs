//! Feedback and safety nets over the real router, on SQLite and PostgreSQL, as a browser without
//! JavaScript meets them: removing a contact asks first and only the confirmation's post removes
//! (the page it lands on says what was done); a proposed resolution without its text is refused by
//! the field, and the customer's case page shows the text, the two answers and the closure; phone
//! numbers are `tel:` links.
use crate::helpers::{self, user};

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portal::model::case::NewCase;
use portal::server::cases;
use portal::sla::ProgramSet;
use sqlx::AnyPool;
use tower::ServiceExt;

pub(crate) struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

pub(crate) async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A form posted as a browser without JavaScript posts it (`accept`: text/html; a refusal comes
/// back to the `referer` page, a full URL as browsers send it), or as the client does
/// (application/json).
pub(crate) fn post(
    uri: &str,
    body: &str,
    cookie: &str,
    accept: &str,
    referer: &str,
) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept)
        .header(header::COOKIE, cookie)
        .header(header::REFERER, format!("http://127.0.0.1:3000{referer}"))
        .body(Body::from(body.to_string()))
        .expect("request")
}

pub(crate) fn page(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

pub(crate) async fn login(app: &axum::Router, email: &str, password: &str) -> String {
    let body = format!("email={}&password={password}", email.replace('@', "%40"));
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    res.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

async fn contact_id(pool: &AnyPool, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT c.id FROM site_contacts c JOIN users u ON u.id = c.user_id \
         JOIN sites s ON s.id = c.site_id WHERE u.email = $1 AND s.name = 'Acme Boston DC'",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .expect("contact")
}

#[tokio::test]
async fn a_removal_asks_first_and_says_what_it_did() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        let admin = login(&app, "admin@acme.example", "acme-admin-demo").await;
        let dana = contact_id(&db.pool, "dana@acme.example").await.unwrap();

        // The row's Remove is a link to the confirmation; the page itself removes nothing.
        let list = send(&app, page("/contacts", &admin)).await;
        let step = format!("/contacts?remove={dana}#remove-{dana}");
        assert!(list.body.contains(&format!("href=\"{step}\"")), "{b}");
        let ask = send(&app, page(&format!("/contacts?remove={dana}"), &admin)).await;
        assert_eq!(ask.status, StatusCode::OK, "{b}");
        let box_at = ask
            .body
            .find(&format!("id=\"remove-{dana}\""))
            .expect("the confirmation");
        let confirmation = &ask.body[box_at..];
        assert!(
            confirmation.contains("Remove Dana Dispatch at Acme Boston DC?"),
            "{b}"
        );
        assert!(confirmation.contains("It is their only role"), "{b}");
        assert!(confirmation.contains(">Keep</a>"), "{b}");
        assert!(
            confirmation.contains("name=\"confirm\" value=\"yes\""),
            "{b}"
        );
        assert!(
            contact_id(&db.pool, "dana@acme.example").await.is_some(),
            "{b}"
        );

        // A post without the confirmation is refused by the field, as JSON and as a page.
        let bare = format!("contact_id={dana}");
        let r = send(
            &app,
            post(
                "/api/contacts/remove",
                &bare,
                &admin,
                "application/json",
                "/contacts",
            ),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.body
        );
        assert!(r.body.contains("confirm"), "{b}: {}", r.body);
        let r = send(
            &app,
            post(
                "/api/contacts/remove",
                &bare,
                &admin,
                "text/html",
                "/contacts",
            ),
        )
        .await;
        assert!(
            r.status.is_redirection() && r.location.contains("__err"),
            "{b}: {}",
            r.location
        );
        assert!(
            contact_id(&db.pool, "dana@acme.example").await.is_some(),
            "{b}"
        );

        // The confirmation's post removes, and lands on the page that says so at its top.
        let confirmed = format!("contact_id={dana}&confirm=yes");
        let r = send(
            &app,
            post(
                "/api/contacts/remove",
                &confirmed,
                &admin,
                "text/html",
                &step,
            ),
        )
        .await;
        assert!(r.status.is_redirection(), "{b}: {} {}", r.status, r.body);
        assert_eq!(r.location, format!("/contacts?removed={dana}"), "{b}");
        assert!(
            contact_id(&db.pool, "dana@acme.example").await.is_none(),
            "{b}"
        );
        let done = send(&app, page(&r.location, &admin)).await;
        let status_at = done.body.find("role=\"status\"").expect("a confirmation");
        let said = done
            .body
            .find("Dana Dispatch is no longer a contact at Acme Boston DC.");
        assert!(said.is_some_and(|at| at > status_at), "{b}");
        let first_site = done.body.find("Authorized callers: ").expect("the sites");
        assert!(status_at < first_site, "{b}: said above the sites");

        // Removing one's own last role signs out and lands on the sign-in page that says so.
        let bea = login(&app, "backup@acme.example", "acme-backup-demo").await;
        let own = contact_id(&db.pool, "backup@acme.example").await.unwrap();
        let ask = send(&app, page(&format!("/contacts?remove={own}"), &bea)).await;
        assert!(
            ask.body
                .contains("Remove yourself as backup contact at Acme Boston DC?"),
            "{b}"
        );
        assert!(ask.body.contains("you will be signed out at once"), "{b}");
        let body = format!("contact_id={own}&confirm=yes");
        let r = send(
            &app,
            post(
                "/api/contacts/remove",
                &body,
                &bea,
                "text/html",
                "/contacts",
            ),
        )
        .await;
        assert_eq!(r.location, "/login?removed=self", "{b}");
        let login_page = send(&app, Request::get(&r.location).body(Body::empty()).unwrap()).await;
        assert!(
            login_page.body.contains("You removed your last role"),
            "{b}"
        );
        let again = send(&app, page("/contacts", &bea)).await;
        assert!(again.status.is_redirection(), "{b}: signed out");
    }
}

#[tokio::test]
async fn a_proposal_needs_its_text_and_the_customer_page_shows_it_with_the_closure() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        let programs = ProgramSet::builtin().unwrap();
        let caller = user(&db.pool, "caller@acme.example").await;
        let array: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
            .bind("Contact center org acme-cx")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let input = NewCase {
            array_id: array,
            severity: 3,
            subject: "Call routing loops".into(),
            description: "Calls to Sales loop back to the menu.".into(),
            sev1_contact_phone: String::new(),
            ..NewCase::default()
        };
        let id = cases::create_case(&db.pool, &programs, &caller, &input)
            .await
            .unwrap()
            .id;
        let engineer = login(&app, "engineer@support.example", "support-demo").await;
        let case_page = format!("/cases/{id}");
        let bare = format!("case_id={id}&status=resolution_proposed&message=+");
        let r = send(
            &app,
            post(
                "/api/cases/status",
                &bare,
                &engineer,
                "application/json",
                &case_page,
            ),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.body
        );
        assert!(
            r.body.contains("message") && r.body.contains("resolution"),
            "{b}: {}",
            r.body
        );

        let text = "The+routing+table+had+a+loop+on+Sales%3B+it+is+fixed.";
        let body = format!("case_id={id}&status=resolution_proposed&message={text}");
        let r = send(
            &app,
            post(
                "/api/cases/status",
                &body,
                &engineer,
                "text/html",
                &case_page,
            ),
        )
        .await;
        assert!(r.status.is_redirection(), "{b}: {} {}", r.status, r.body);

        let customer = login(&app, "caller@acme.example", "acme-caller-demo").await;
        let html = send(&app, page(&case_page, &customer)).await.body;
        let section = &html[html
            .find("Support proposed a resolution")
            .expect("the proposal")..];
        assert!(
            section.contains("The routing table had a loop on Sales; it is fixed."),
            "{b}"
        );
        let (yes, no) = (
            section.find("Confirm it is solved"),
            section.find("It is not solved"),
        );
        assert!(yes.is_some() && no.is_some(), "{b}: both answers");
        assert!(section.contains("the case closes by itself on"), "{b}");
        assert!(html.contains("Closes automatically"), "{b}");
        assert!(!html.contains("No update clock"), "{b}");
    }
}

#[tokio::test]
async fn phone_numbers_are_tel_links() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        sqlx::query(
            "UPDATE users SET phone = '+1 (617) 555-0142' WHERE email = 'dana@acme.example'",
        )
        .execute(&db.pool)
        .await
        .unwrap();
        let admin = login(&app, "admin@acme.example", "acme-admin-demo").await;
        let html = send(&app, page("/contacts", &admin)).await.body;
        assert!(
            html.contains("href=\"tel:+16175550142\"") && html.contains(">+1 (617) 555-0142</a>"),
            "{b}: {}",
            html.get(html.find("dana@acme.example").unwrap_or(0)..)
                .and_then(|rest| rest.get(..600))
                .unwrap_or_default()
        );
    }
}
