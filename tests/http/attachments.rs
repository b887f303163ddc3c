//! Case attachments through the real router: type and size checks, all-or-nothing storage,
//! downloads only for the case's organization and staff.
use crate::helpers;

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

const BOUNDARY: &str = "XportalBoundary";

fn multipart(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let res = app.clone().oneshot(req).await.expect("response");
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

async fn login(app: &axum::Router, email: &str, password: &str) -> String {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("email={email}&password={password}")))
        .expect("request");
    let (_, headers, _) = send(app, req).await;
    let cookie = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie");
    cookie.split(';').next().unwrap_or_default().to_string()
}

fn upload(case_id: &str, cookie: &str, files: &[(&str, &[u8])]) -> Request<Body> {
    Request::post(format!("/cases/{case_id}/attachments"))
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(multipart(files)))
        .expect("request")
}

async fn open_acme_case(pool: &sqlx::AnyPool) -> String {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organizations o ON o.id = c.organization_id \
         WHERE o.name = 'Acme Corp' AND c.status <> 'closed' ORDER BY c.number LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("an open Acme case in the demo")
}

async fn count(pool: &sqlx::AnyPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM case_attachments")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn attachments_are_checked_stored_and_private() {
    for db in helpers::seeded().await {
        let mut state = helpers::state(db.pool.clone());
        state.attachments.max_file_bytes = 64 * 1024;
        state.attachments.max_case_bytes = 100 * 1024;
        let dir = state.attachments.dir.clone();
        let app = portal::router::build(state);
        let case_id = open_acme_case(&db.pool).await;
        let acme = login(&app, "caller%40acme.example", "acme-caller-demo").await;

        // Two valid files are stored together.
        let png = b"\x89PNG\r\n\x1a\n0000";
        let (status, headers, _) = send(
            &app,
            upload(
                &case_id,
                &acme,
                &[("array.log", b"controller 0 failover"), ("shot.png", png)],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", db.backend);
        assert!(headers[header::LOCATION]
            .to_str()
            .unwrap()
            .ends_with("?attached=2"));
        assert_eq!(count(&db.pool).await, 2);

        // A bad file among good ones: nothing of the request is kept.
        for files in [
            vec![
                ("ok.txt", b"fine".as_slice()),
                ("tool.exe", b"MZ\x90\x00".as_slice()),
            ],
            vec![("fake.png", b"GIF89a....".as_slice())],
            vec![("big.log", vec![b'a'; 65 * 1024].leak() as &[u8])],
            vec![("empty.log", b"".as_slice())],
        ] {
            let (status, headers, _) = send(&app, upload(&case_id, &acme, &files)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{}", db.backend);
            let to = headers[header::LOCATION].to_str().unwrap().to_string();
            assert!(to.contains("upload_error="), "{to}");
            assert_eq!(count(&db.pool).await, 2, "{}: {files:?}", db.backend);
        }
        let on_disk = std::fs::read_dir(dir.join(&case_id))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(on_disk, 2, "{}: rejected files are deleted", db.backend);

        // The organization downloads; Globex gets "not found"; anonymous is refused.
        let id: String =
            sqlx::query_scalar("SELECT id FROM case_attachments WHERE file_name = 'array.log'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        let get = |cookie: Option<&str>| {
            let mut b = Request::get(format!("/attachments/{id}"));
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(Body::empty()).unwrap()
        };
        let (status, headers, body) = send(&app, get(Some(&acme))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"controller 0 failover");
        assert!(headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("array.log"));
        let globex = login(&app, "admin%40globex.example", "globex-admin-demo").await;
        assert_eq!(
            send(&app, get(Some(&globex))).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(send(&app, get(None)).await.0, StatusCode::UNAUTHORIZED);
        let staff = login(&app, "engineer%40support.example", "support-demo").await;
        assert_eq!(send(&app, get(Some(&staff))).await.0, StatusCode::OK);

        // Globex cannot attach to Acme's case either.
        let (status, _, _) = send(&app, upload(&case_id, &globex, &[("x.log", b"x")])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}", db.backend);
        let _ = std::fs::remove_dir_all(dir);
    }
}
