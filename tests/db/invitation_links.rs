//! Invitation links on SQLite and PostgreSQL, through the real router as a browser without
//! JavaScript uses them (the security issue's finding 4: a link read from the server log, or
//! from the `?invite=` address the form redirected to, set the person's password).
//!
//! A link is a credential, so: the log says that an invitation was made and for whom, never the
//! link; the redirect after the form carries no token; the admin's next contacts page shows the
//! link once (a reload does not); the person gets it by e-mail through the outbox.
use crate::helpers;

use axum::body::Body;
use axum::Router;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portal::server::mailer::{MailConfig, Mailer};
use portal::server::outbox::{deliver_due, DeliveryConfig};
use sqlx::AnyPool;
use std::sync::{Arc, Mutex, OnceLock};
use tower::ServiceExt;

/// Everything this test binary logs from the moment `captured_log` is first called: one global
/// subscriber (tasks the router spawns log through it too), at every level for the portal's own
/// code and `info` for its libraries, the server's default (`info,sqlx=warn`) and then some.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

fn captured_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,portal=trace"))
            .with_writer(log.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("the one global subscriber of this test binary");
        log
    })
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

/// A browser's request: `Accept: text/html`, the session cookie, a form body for a post.
async fn browse(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: &str,
    form: Option<String>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie);
    if form.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let req = req
        .body(Body::from(form.unwrap_or_default()))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn sign_in(app: &Router, email: &str, password: &str) -> String {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(helpers::form_body(&[
            ("email", email),
            ("password", password),
        ])))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    res.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// The links e-mailed to `address`, oldest first: the outbox rows addressed to them and the
/// path their message links to.
async fn emailed_links(pool: &AnyPool, address: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id \
         WHERE o.recipient = $1 ORDER BY o.created_at, o.id",
    )
    .bind(address)
    .fetch_all(pool)
    .await
    .expect("outbox")
}

/// The token of an e-mailed `/invite/<token>` link.
fn token_of(link: &str) -> String {
    let token = link
        .strip_prefix("/invite/")
        .unwrap_or_else(|| panic!("an invitation link, got {link:?}"));
    assert_eq!(token.len(), 64, "{link}");
    token.to_string()
}

/// Posts a form and checks the redirect: back to the contacts page, no token in the address.
async fn post_form(app: &Router, uri: &str, cookie: &str, form: String) -> String {
    let a = browse(app, "POST", uri, cookie, Some(form)).await;
    assert_eq!(a.status, StatusCode::FOUND, "{uri}: {:.300}", a.body);
    let location = a.location.expect("a redirect");
    assert_eq!(location, "/contacts", "{uri}: the address carries nothing");
    location
}

/// The words of the page's notice of a new link.
const NOTICE: &str = "It is shown here this once";

/// The contacts page shows `link` this once: a reload shows it no more.
async fn shown_once(app: &Router, cookie: &str, location: &str, link: &str, b: &str) {
    let first = browse(app, "GET", location, cookie, None).await;
    assert_eq!(first.status, StatusCode::OK, "{b}");
    assert!(first.body.contains(NOTICE), "{b}: {:.300}", first.body);
    assert!(
        first.body.contains(link),
        "{b}: the admin sees the new link"
    );
    let reload = browse(app, "GET", location, cookie, None).await;
    assert_eq!(reload.status, StatusCode::OK, "{b}");
    assert!(
        !reload.body.contains(link) && !reload.body.contains(NOTICE),
        "{b}: the link is shown once"
    );
}

#[tokio::test]
async fn invitation_links_never_reach_the_log_or_the_address() {
    let log = captured_log();
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let app = portal::router::build(helpers::state(pool.clone()));
        let cookie = sign_in(&app, "admin@acme.example", "acme-admin-demo").await;
        let boston: String =
            sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Boston DC'")
                .fetch_one(pool)
                .await
                .expect("site");
        let invitee = format!("ivy.{b}@acme.example");

        // A new person: the form posts, the server redirects, the page shows the link once.
        let form = helpers::form_body(&[
            ("site_id", &boston),
            ("role", "authorized_caller"),
            ("email", &invitee),
            ("name", "Ivy Invitee"),
        ]);
        let location = post_form(&app, "/api/contacts/add", &cookie, form).await;
        let links = emailed_links(pool, &invitee).await;
        assert_eq!(
            links.len(),
            1,
            "{b}: one e-mail to the invitee holds the link"
        );
        let first = token_of(&links[0]);
        let info = portal::server::contacts::invitation_info(pool, &first)
            .await
            .expect("the e-mailed link works");
        assert_eq!(info.email, invitee, "{b}");
        shown_once(&app, &cookie, &location, &format!("/invite/{first}"), b).await;

        // A new link for the same person: e-mailed and shown once the same way; the first one
        // stopped working.
        let contact: String = sqlx::query_scalar(
            "SELECT c.id FROM site_contacts c JOIN users u ON u.id = c.user_id WHERE u.email = $1",
        )
        .bind(&invitee)
        .fetch_one(pool)
        .await
        .expect("the new contact");
        let form = helpers::form_body(&[("contact_id", &contact)]);
        let location = post_form(&app, "/api/contacts/reinvite", &cookie, form).await;
        let links = emailed_links(pool, &invitee).await;
        assert_eq!(links.len(), 2, "{b}: the new link is e-mailed too");
        let second = token_of(&links[1]);
        assert_ne!(first, second, "{b}");
        shown_once(&app, &cookie, &location, &format!("/invite/{second}"), b).await;
        assert!(
            portal::server::contacts::invitation_info(pool, &first)
                .await
                .is_err(),
            "{b}: the old link is dead"
        );

        // The outbox delivers them; without an SMTP server the mailer logs what it sends.
        let mailer = Mailer::new(&MailConfig::default()).expect("mailer");
        let report = deliver_due(
            pool,
            &mailer,
            &DeliveryConfig::default(),
            chrono::Utc::now(),
        )
        .await
        .expect("delivery");
        assert!(report.sent >= 2, "{b}: {report:?}");

        let text = log.text();
        // The capture works: it holds the invitations and the e-mails, by whom they are for.
        assert!(
            text.contains("contact invitation created") && text.contains(&invitee),
            "{b}: the log says an invitation was made, for whom"
        );
        assert!(
            text.contains("no SMTP server configured"),
            "{b}: delivery logged"
        );
        for token in [&first, &second] {
            assert!(!text.contains(token.as_str()), "{b}: a link in the log");
        }
    }
}
