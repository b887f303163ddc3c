//! Removing a contact, on SQLite and PostgreSQL: the removal is refused unless it comes from the
//! confirmation step, is authorized exactly as before, and the page it lands on says what was done
//! (from the audit log, so a made-up address says nothing). Removing one's own last role signs
//! the person out and says so.
use crate::helpers::{self, user};

use portal::model::contact::REMOVAL_CONFIRMED;
use portal::model::AppError;
use portal::server::auth::{sign_in, user_for_token};
use portal::server::contacts::{self, ContactRemoved};
use portal::server::state::SessionConfig;
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const ACME_BACKUP: &str = "backup@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const DANA: &str = "dana@acme.example";
const BOSTON: &str = "Acme Boston DC";
/// No invitation links wait for this session: the page shows only what the test made.
const SESSION: &str = "no-such-session";

async fn contact_id(pool: &AnyPool, email: &str, site: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT c.id FROM site_contacts c JOIN users u ON u.id = c.user_id \
         JOIN sites s ON s.id = c.site_id WHERE u.email = $1 AND s.name = $2",
    )
    .bind(email)
    .bind(site)
    .fetch_optional(pool)
    .await
    .expect("contact")
}

fn field<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_removal_needs_its_confirmation_and_the_page_then_says_it() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let admin = user(pool, ACME_ADMIN).await;
        let dana = contact_id(pool, DANA, BOSTON)
            .await
            .expect("Dana at Boston");

        // Without the confirmation step's value the designation stays, whoever asks.
        for confirm in [None, Some(""), Some("no"), Some("YES please")] {
            let r = contacts::remove_confirmed(pool, &admin, &dana, confirm).await;
            assert_eq!(field(r), "confirm", "{b}: {confirm:?}");
        }
        assert!(contact_id(pool, DANA, BOSTON).await.is_some(), "{b}");

        // Confirmed, it is still authorized as before: a caller may not, another organization
        // does not see the designation.
        let caller = user(pool, ACME_CALLER).await;
        let r = contacts::remove_confirmed(pool, &caller, &dana, Some(REMOVAL_CONFIRMED)).await;
        assert_eq!(r, Err(AppError::Forbidden), "{b}");
        let globex = user(pool, GLOBEX_ADMIN).await;
        let r = contacts::remove_confirmed(pool, &globex, &dana, Some(REMOVAL_CONFIRMED)).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        assert!(contact_id(pool, DANA, BOSTON).await.is_some(), "{b}");

        let done = contacts::remove_confirmed(pool, &admin, &dana, Some(REMOVAL_CONFIRMED))
            .await
            .unwrap();
        assert_eq!(
            done,
            ContactRemoved {
                signed_out_self: false
            },
            "{b}"
        );
        assert!(contact_id(pool, DANA, BOSTON).await.is_none(), "{b}");

        // The page the removal lands on says who is gone from where.
        let page = contacts::contacts_page_showing(pool, &admin, None, SESSION, None, Some(&dana))
            .await
            .unwrap();
        let notice = page.removed.expect("the removal is said");
        assert_eq!(
            notice.sentence(),
            "Dana Dispatch is no longer a contact at Acme Boston DC.",
            "{b}"
        );
        assert_eq!(notice.email, DANA);
        assert!(!notice.was_me);
        // Nothing for an id the organization never removed, for those who do not manage its
        // contacts, or for another organization.
        let alice_contact = contact_id(pool, ACME_ADMIN, BOSTON).await.unwrap();
        for id in [alice_contact.as_str(), "0123456789abcdef", ""] {
            let page = contacts::contacts_page_showing(pool, &admin, None, SESSION, None, Some(id))
                .await
                .unwrap();
            assert_eq!(page.removed, None, "{b}: {id}");
        }
        let page = contacts::contacts_page_showing(pool, &caller, None, SESSION, None, Some(&dana))
            .await
            .unwrap();
        assert_eq!(page.removed, None, "{b}: a caller manages nothing");
        let page = contacts::contacts_page_showing(pool, &globex, None, SESSION, None, Some(&dana))
            .await
            .unwrap();
        assert_eq!(page.removed, None, "{b}: another organization's removal");
    }
}

#[tokio::test]
async fn removing_ones_own_last_role_signs_out_and_the_last_admin_stays() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let cfg = SessionConfig::default();
        // Bea is Boston's backup contact and nothing else.
        let bea = user(pool, ACME_BACKUP).await;
        let token = sign_in(pool, &cfg, ACME_BACKUP, "acme-backup-demo", "192.0.2.9")
            .await
            .unwrap();
        let own = contact_id(pool, ACME_BACKUP, BOSTON).await.unwrap();
        let done = contacts::remove_confirmed(pool, &bea, &own, Some(REMOVAL_CONFIRMED))
            .await
            .unwrap();
        assert!(done.signed_out_self, "{b}");
        assert!(
            user_for_token(pool, &cfg, &token).await.unwrap().is_none(),
            "{b}: her session ended with her last role"
        );

        // Alice is Acme's only admin: removing herself is refused, with the reason.
        let alice = user(pool, ACME_ADMIN).await;
        let own = contact_id(pool, ACME_ADMIN, BOSTON).await.unwrap();
        let r = contacts::remove_confirmed(pool, &alice, &own, Some(REMOVAL_CONFIRMED)).await;
        assert!(
            matches!(&r, Err(AppError::Conflict(m)) if m.contains("must always have an admin")),
            "{b}: {r:?}"
        );
        assert!(contact_id(pool, ACME_ADMIN, BOSTON).await.is_some(), "{b}");
    }
}
