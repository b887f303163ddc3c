//! The admin role on SQLite and PostgreSQL: who may grant, change or remove it, and who may
//! change anything of the people who hold it (the security issue's finding 3: a backup contact
//! made itself admin, then issued alert tokens, placed an organization-wide no-contact order and
//! demoted the real admin).
//!
//! What the support guides say (`../shared/seeds/000_…txt` and `001_…txt`, the same words in
//! both editions):
//! - "As the customer's resident Pure Storage expert, the Pure1 Admin is responsible for the
//!   administration of contacts and for assisting users."
//! - "Backup contacts should be located at the same site as the Pure1 Admin and be able to
//!   perform all the necessary duties on the FlashArray or FlashBlade, including contacting Pure
//!   Storage Support and opening RA sessions when required."
//!
//! So a backup contact keeps the other contacts of the organization up to date, but the admin
//! role and its holders are the admins': only an admin grants, changes or removes it, and edits,
//! removes or re-invites a person who holds it; nobody changes their own role.
use crate::helpers::{self, user};

use portal::model::contact::{ContactUpdate, NewContact, SettingsInput};
use portal::model::{AppError, Role};
use portal::server::{alerts, contacts, notifications};
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const ACME_BACKUP: &str = "backup@acme.example";
const BOSTON: &str = "Acme Boston DC";
const FRANKFURT: &str = "Acme Frankfurt DC";

async fn site_id(pool: &AnyPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM sites WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("site")
}

async fn contact_id(pool: &AnyPool, email: &str, site: &str) -> String {
    sqlx::query_scalar(
        "SELECT c.id FROM site_contacts c JOIN users u ON u.id = c.user_id \
         JOIN sites s ON s.id = c.site_id WHERE u.email = $1 AND s.name = $2",
    )
    .bind(email)
    .bind(site)
    .fetch_one(pool)
    .await
    .expect("contact")
}

async fn count(pool: &AnyPool, sql: &str, key: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(pool)
        .await
        .expect(sql)
}

/// Unused invitation links of the person with this address.
async fn open_links(pool: &AnyPool, email: &str) -> i64 {
    count(
        pool,
        "SELECT COUNT(*) FROM invitations i JOIN users u ON u.id = i.user_id \
         WHERE u.email = $1 AND i.used_at IS NULL",
        email,
    )
    .await
}

fn new_contact(site_id: &str, role: &str, email: &str, name: &str) -> NewContact {
    NewContact {
        site_id: site_id.to_string(),
        role: role.to_string(),
        email: email.to_string(),
        name: name.to_string(),
        phone: "+1 617 555 0111".into(),
        time_zone: String::new(),
    }
}

fn details(name: &str, role: Option<&str>) -> ContactUpdate {
    ContactUpdate {
        name: name.to_string(),
        phone: "+1 617 555 0100".into(),
        time_zone: String::new(),
        role: role.map(str::to_string),
    }
}

fn own_role_refused<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(&r, Err(AppError::Invalid { field, message })
        if field == "role" && message.contains("cannot change your own role"))
}

#[tokio::test]
async fn only_admins_grant_change_or_remove_the_admin_role() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let alice = user(pool, ACME_ADMIN).await;
        let bea = user(pool, ACME_BACKUP).await;
        let boston = site_id(pool, BOSTON).await;
        let fra = site_id(pool, FRANKFURT).await;
        let alice_contact = contact_id(pool, ACME_ADMIN, BOSTON).await;
        let bea_contact = contact_id(pool, ACME_BACKUP, BOSTON).await;
        let forbidden = Err(AppError::Forbidden);

        // The probe's first step: the backup contact's own role to admin. Refused, and with it
        // the admin-only powers the probe reached next (alert API tokens, no-contact orders).
        let r = contacts::update_contact(
            pool,
            &bea,
            &bea_contact,
            &details("Bea Backup", Some("admin")),
        )
        .await;
        assert_eq!(r, forbidden, "{b}: a backup contact's own role to admin");
        let bea = user(pool, ACME_BACKUP).await;
        assert_eq!(bea.role, Role::BackupContact, "{b}: still a backup contact");
        let token = alerts::create_token(pool, &bea, "probe").await;
        assert!(
            matches!(token, Err(AppError::Forbidden)),
            "{b}: alert API tokens are the admins'"
        );
        let dana = user(pool, "dana@acme.example").await;
        assert_eq!(
            notifications::add_no_contact(pool, &bea, &dana.id, "", "")
                .await
                .map(|_| ()),
            forbidden,
            "{b}: no-contact orders are the admins'"
        );
        // Nobody changes their own role, down either.
        let r = contacts::update_contact(
            pool,
            &bea,
            &bea_contact,
            &details("Bea Backup", Some("authorized_caller")),
        )
        .await;
        assert!(own_role_refused(r), "{b}");

        // A new admin: only an admin designates one.
        let r = contacts::add_contact(
            pool,
            &bea,
            &new_contact(&boston, "admin", "second@acme.example", "Second Admin"),
        )
        .await;
        assert_eq!(r.map(|_| ()), forbidden, "{b}: add role=admin");
        assert_eq!(
            count(
                pool,
                "SELECT COUNT(*) FROM users WHERE email = $1",
                "second@acme.example"
            )
            .await,
            0,
            "{b}: the refused add left no account"
        );

        // A pending admin (no password yet): the invitation link sets the admin's password, so
        // a backup contact may neither re-invite them nor designate them again (which would
        // make a new link too).
        let fran = contacts::add_contact(
            pool,
            &alice,
            &new_contact(&fra, "admin", "fran@acme.example", "Fran Admin"),
        )
        .await
        .expect("the admin designates an admin");
        assert_eq!(open_links(pool, "fran@acme.example").await, 1, "{b}");
        let r = contacts::reinvite_contact(pool, &bea, &fran.contact_id).await;
        assert_eq!(r.map(|_| ()), forbidden, "{b}: re-invite a pending admin");
        let r = contacts::add_contact(
            pool,
            &bea,
            &new_contact(
                &boston,
                "authorized_caller",
                "fran@acme.example",
                "Fran Admin",
            ),
        )
        .await;
        assert_eq!(r.map(|_| ()), forbidden, "{b}: designate an admin again");
        assert_eq!(
            open_links(pool, "fran@acme.example").await,
            1,
            "{b}: the admin's link is still the one the admin made"
        );

        // The real admin: neither demoted, nor edited, nor removed by the backup contact.
        for role in [Some("backup_contact"), Some("authorized_caller"), None] {
            let r =
                contacts::update_contact(pool, &bea, &alice_contact, &details("Al", role)).await;
            assert_eq!(r, forbidden, "{b}: the admin's designation, role {role:?}");
        }
        let r = contacts::remove_contact(pool, &bea, &alice_contact).await;
        assert_eq!(r, forbidden, "{b}: remove the admin");
        let alice_now = user(pool, ACME_ADMIN).await;
        assert_eq!(
            (alice_now.role, alice_now.name.as_str()),
            (Role::Admin, "Alice Admin"),
            "{b}"
        );

        // What stays the backup contact's: the contacts who are not admins.
        let added = contacts::add_contact(
            pool,
            &bea,
            &new_contact(
                &boston,
                "authorized_caller",
                "newcaller@acme.example",
                "New Caller",
            ),
        )
        .await
        .expect("a backup contact adds a caller");
        contacts::reinvite_contact(pool, &bea, &added.contact_id)
            .await
            .expect("and invites them again");
        let carl_contact = contact_id(pool, ACME_CALLER, BOSTON).await;
        contacts::update_contact(
            pool,
            &bea,
            &carl_contact,
            &details("Carl Caller", Some("backup_contact")),
        )
        .await
        .expect("a backup contact makes a caller a backup contact");

        // The admin grants the admin role, and then the new admin is out of the backup
        // contact's reach too.
        contacts::update_contact(
            pool,
            &alice,
            &carl_contact,
            &details("Carl Caller", Some("admin")),
        )
        .await
        .expect("an admin grants the admin role");
        assert_eq!(user(pool, ACME_CALLER).await.role, Role::Admin, "{b}");
        let r = contacts::update_contact(pool, &bea, &carl_contact, &details("Carl", None)).await;
        assert_eq!(r, forbidden, "{b}: the new admin's details");
        // The admin cannot change their own role either, although Boston now has a second
        // admin and every rule on roles would hold: the refusal says why.
        let r = contacts::update_contact(
            pool,
            &alice,
            &alice_contact,
            &details("Alice Admin", Some("backup_contact")),
        )
        .await;
        assert!(own_role_refused(r), "{b}: the admin's own role");
        assert_eq!(user(pool, ACME_ADMIN).await.role, Role::Admin, "{b}");
        // Another admin may change it.
        let carl = user(pool, ACME_CALLER).await;
        contacts::update_contact(
            pool,
            &carl,
            &alice_contact,
            &details("Alice Admin", Some("backup_contact")),
        )
        .await
        .expect("one admin changes another's role");
    }
}

/// The contacts page's no-contact order ("unless specifically instructed not to do so by a
/// no-contact order that was previously put in place by the customer", guides, critical alerts)
/// stops support calling anyone of the organization: the admins' decision, like the orders of
/// the notifications page. A backup contact keeps the team alias, pager and hours up to date.
#[tokio::test]
async fn only_admins_place_or_lift_the_no_contact_order() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let alice = user(pool, ACME_ADMIN).await;
        let bea = user(pool, ACME_BACKUP).await;
        let order = |no_contact: bool, until: &str, alias: &str| SettingsInput {
            team_email: alias.to_string(),
            team_phone: "+1 617 555 0142".into(),
            no_contact,
            no_contact_until: until.to_string(),
            preferred_hours: "Mon-Fri 08:00-18:00 Eastern".into(),
        };
        let stored = || async {
            contacts::contacts_page(pool, &alice, None)
                .await
                .expect("page")
                .settings
        };
        let r = contacts::update_settings(pool, &bea, &order(true, "", "team@acme.example")).await;
        assert_eq!(
            r,
            Err(AppError::Forbidden),
            "{b}: a backup contact places an order"
        );
        let s = stored().await;
        assert!(
            !s.no_contact && s.team_email == "storage-team@acme.example",
            "{b}: unchanged"
        );
        // With the order as it is, the rest is hers to change.
        contacts::update_settings(pool, &bea, &order(false, "", "oncall@acme.example"))
            .await
            .expect("a backup contact changes the alias");
        contacts::update_settings(
            pool,
            &alice,
            &order(true, "2099-12-31", "oncall@acme.example"),
        )
        .await
        .expect("the admin places an order");
        contacts::update_settings(pool, &bea, &order(true, "2099-12-31", "pager@acme.example"))
            .await
            .expect("the order posted back unchanged");
        for (on, until) in [(false, ""), (true, ""), (true, "2099-06-30")] {
            let r =
                contacts::update_settings(pool, &bea, &order(on, until, "x@acme.example")).await;
            assert_eq!(
                r,
                Err(AppError::Forbidden),
                "{b}: lift or change it ({on}, {until:?})"
            );
        }
        let s = stored().await;
        assert!(s.no_contact_in_force, "{b}");
        assert_eq!(
            (
                s.team_email.as_str(),
                s.no_contact_until.map(|d| d.to_string())
            ),
            ("pager@acme.example", Some("2099-12-31".to_string())),
            "{b}"
        );
    }
}
