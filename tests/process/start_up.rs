//! What a plain `portal serve` does to a database (issue 19, finding 1): it seeds nothing unless
//! asked, and when asked it refuses a database that holds a real customer.
use crate::helpers::{post_form, Portal, TempDir};
use std::time::Duration;

async fn count(url: &str, table: &str) -> i64 {
    let pool = portal::server::db::connect(url, 1).await.expect("open db");
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .expect("count");
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_serve_seeds_no_demo_logins() {
    let dir = TempDir::new("portal-plain");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    let portal = Portal::start(&url, dir.path(), &[("PORTAL_DEMO", "false")]).await;
    // The demo's support engineer, whose password the README publishes, does not exist.
    let r = post_form(
        portal.port,
        "/api/login",
        None,
        &[
            ("email", "engineer@support.example"),
            ("password", "support-demo"),
            ("next", "/"),
        ],
    )
    .await
    .expect("login request");
    assert!(
        !r.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("set-cookie")
                && v.contains("portal_session=")
                && !v.contains("portal_session=;")),
        "no session for a demo login: {r:?}"
    );
    drop(portal);
    assert_eq!(count(&url, "users").await, 0, "no users seeded");
    assert_eq!(
        count(&url, "organizations").await,
        0,
        "no organizations seeded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeding_refuses_a_database_with_a_real_customer() {
    let dir = TempDir::new("portal-real");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    {
        let pool = portal::server::db::connect(&url, 1).await.expect("open db");
        portal::server::db::migrate(&pool).await.expect("migrate");
        sqlx::query(
            "INSERT INTO organizations (id, name, created_at) VALUES ('real-1', 'Initech', 0)",
        )
        .execute(&pool)
        .await
        .expect("a real customer");
        pool.close().await;
    }
    let mut portal = Portal::spawn(&url, dir.path(), &[("PORTAL_DEMO", "true")]);
    let status = portal
        .wait_exit(Duration::from_secs(30))
        .await
        .expect("start-up stops");
    assert!(!status.success(), "exit status {status}");
    assert!(
        portal.log_text().contains("refusing to seed demo data"),
        "says why: {}",
        portal.log_text()
    );
    assert_eq!(
        count(&url, "users").await,
        0,
        "nothing seeded beside Initech"
    );
}

/// Runs `portal user add` on `url` with `password` on standard input.
fn user_add(url: &str, args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(crate::helpers::BIN)
        .args(["user", "add"])
        .args(args)
        .env("DATABASE_URL", url)
        .env("PORTAL_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("portal user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write password");
    child.wait_with_output().expect("wait")
}

/// The first account of a real installation comes from `portal user add`, and it signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_vendor_account_comes_from_user_add() {
    let dir = TempDir::new("portal-user");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    let staff = ["--email", "Sam@Vendor.example", "--name", "Sam Support"];

    let short = user_add(&url, &staff, "short");
    assert_eq!(
        short.status.code(),
        Some(2),
        "a short password is a usage error"
    );
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let customer = user_add(
        &url,
        &[&staff[..], &["--role", "admin"]].concat(),
        "a long enough password",
    );
    assert_eq!(
        customer.status.code(),
        Some(2),
        "customer roles are not made here"
    );

    let ok = user_add(&url, &staff, "correct horse battery staple");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = user_add(&url, &staff, "correct horse battery staple");
    assert_eq!(again.status.code(), Some(2), "the e-mail is taken");
    assert_eq!(count(&url, "users").await, 1);

    let list = std::process::Command::new(crate::helpers::BIN)
        .args(["user", "list"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("portal user list");
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains(
            "sam@vendor.example\tSam Support\tsupport_engineer\t(vendor)\tactive\tpassword set"
        ),
        "{text}"
    );

    let portal = Portal::start(&url, dir.path(), &[("PORTAL_DEMO", "false")]).await;
    crate::helpers::login(
        portal.port,
        "sam@vendor.example",
        "correct horse battery staple",
    )
    .await;
}
