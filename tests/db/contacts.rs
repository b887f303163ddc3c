//! Support contacts on SQLite and PostgreSQL: the five-caller limit under concurrency, the admin
//! and backup-contact rules, role checks on every contact function, isolation between
//! organizations, invitations, and sign-in ending with a person's last role.
use crate::helpers::{self, user};

use portal::model::contact::{ContactUpdate, NewContact, SettingsInput, MAX_CALLERS_PER_SITE};
use portal::model::{AppError, Role};
use portal::server::auth::{sign_in, user_for_token};
use portal::server::contacts;
use portal::server::state::SessionConfig;
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const ACME_BACKUP: &str = "backup@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";
const BOSTON: &str = "Acme Boston DC";
const FRANKFURT: &str = "Acme Frankfurt DC";
const TOKYO: &str = "Globex Tokyo DC";
const IP: &str = "192.0.2.7";

async fn site_id(pool: &AnyPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM sites WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("site")
}

/// The designation of `email` at `site`.
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

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

async fn callers_at(pool: &AnyPool, site: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE s.name = $1 AND c.role = 'authorized_caller'",
    )
    .bind(site)
    .fetch_one(pool)
    .await
    .expect("count")
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
        phone: "+49 69 555 0100".into(),
        time_zone: "Europe/Berlin".into(),
        role: role.map(str::to_string),
    }
}

fn field<T: std::fmt::Debug>(r: Result<T, AppError>) -> (String, String) {
    match r {
        Err(AppError::Invalid { field, message }) => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn twenty_concurrent_adds_leave_exactly_five_callers() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let site = site_id(&db.pool, FRANKFURT).await;
        assert_eq!(callers_at(&db.pool, FRANKFURT).await, 0, "{b}");
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (pool, admin, site) = (db.pool.clone(), admin.clone(), site.clone());
            tasks.push(tokio::spawn(async move {
                let input = new_contact(
                    &site,
                    "authorized_caller",
                    &format!("rush{i}@acme.example"),
                    &format!("Rush Caller {i}"),
                );
                contacts::add_contact(&pool, &admin, &input).await
            }));
        }
        let mut added = 0;
        let mut refused = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(a) => {
                    assert!(a.invitation.is_some(), "{b}: a new person is invited");
                    added += 1;
                }
                Err(AppError::Invalid { field, message }) => {
                    assert_eq!(field, "role", "{b}");
                    assert!(
                        message.contains("already has 5 authorized callers"),
                        "{b}: {message}"
                    );
                    refused += 1;
                }
                Err(e) => panic!("{b}: unexpected error {e:?}"),
            }
        }
        assert_eq!((added, refused), (5, 15), "{b}");
        assert_eq!(
            callers_at(&db.pool, FRANKFURT).await,
            MAX_CALLERS_PER_SITE,
            "{b}"
        );
        // Refused requests left nothing behind: no account, no invitation, no audit entry.
        assert_eq!(
            count(
                &db.pool,
                "SELECT COUNT(*) FROM users WHERE email LIKE 'rush%'"
            )
            .await,
            5,
            "{b}"
        );
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM invitations").await,
            5,
            "{b}"
        );
        assert_eq!(
            count(
                &db.pool,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'contact.add'"
            )
            .await,
            5,
            "{b}"
        );
        let page = contacts::contacts_page(&db.pool, &admin, None)
            .await
            .unwrap();
        let fra = page
            .sites
            .iter()
            .find(|s| s.site_name == FRANKFURT)
            .unwrap();
        assert_eq!((fra.caller_count, fra.caller_limit), (5, 5), "{b}");
        // Boston already has three: two more fit, the sixth is refused.
        let boston = site_id(&db.pool, BOSTON).await;
        for i in 0..2 {
            let input = new_contact(
                &boston,
                "authorized_caller",
                &format!("bos{i}@acme.example"),
                "Boston Caller",
            );
            contacts::add_contact(&db.pool, &admin, &input)
                .await
                .unwrap();
        }
        let sixth = new_contact(&boston, "authorized_caller", "bos6@acme.example", "Six");
        let (f, m) = field(contacts::add_contact(&db.pool, &admin, &sixth).await);
        assert_eq!(f, "role");
        assert!(m.contains("Acme Boston DC already has 5"), "{m}");
        // Promoting someone to caller counts against the limit too.
        let backup = contact_id(&db.pool, ACME_BACKUP, BOSTON).await;
        let r = contacts::update_contact(
            &db.pool,
            &admin,
            &backup,
            &details("Bea Backup", Some("authorized_caller")),
        )
        .await;
        assert_eq!(field(r).0, "role", "{b}");
    }
}

#[tokio::test]
async fn the_organization_always_keeps_an_admin() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let gina = user(&db.pool, GLOBEX_ADMIN).await;
        let gina_contact = contact_id(&db.pool, GLOBEX_ADMIN, TOKYO).await;
        // Globex's only admin can neither leave nor step down (nobody changes their own role).
        let r = contacts::remove_contact(&db.pool, &gina, &gina_contact).await;
        assert!(
            matches!(&r, Err(AppError::Conflict(m)) if m.contains("must always have an admin")),
            "{b}: {r:?}"
        );
        let r = contacts::update_contact(
            &db.pool,
            &gina,
            &gina_contact,
            &details("Gina Globex", Some("authorized_caller")),
        )
        .await;
        let (f, m) = field(r);
        assert_eq!(f, "role");
        assert!(m.contains("cannot change your own role"), "{b}: {m}");
        assert_eq!(
            user(&db.pool, GLOBEX_ADMIN).await.role,
            Role::Admin,
            "{b}: rolled back"
        );

        // Acme: Alice is Boston's admin and Bea the backup contact there. A second admin at
        // Frankfurt keeps the organization covered, but Boston's backup contact still needs
        // an admin at Boston.
        let alice = user(&db.pool, ACME_ADMIN).await;
        let alice_contact = contact_id(&db.pool, ACME_ADMIN, BOSTON).await;
        let fra = site_id(&db.pool, FRANKFURT).await;
        contacts::add_contact(
            &db.pool,
            &alice,
            &new_contact(&fra, "admin", "frank@acme.example", "Frank Admin"),
        )
        .await
        .unwrap();
        let r = contacts::remove_contact(&db.pool, &alice, &alice_contact).await;
        assert!(
            matches!(&r, Err(AppError::Conflict(m)) if m.contains("Backup contacts must be at a site")),
            "{b}: {r:?}"
        );
        // Once Bea is an admin too, Alice may step down to caller.
        let bea = contact_id(&db.pool, ACME_BACKUP, BOSTON).await;
        contacts::update_contact(
            &db.pool,
            &alice,
            &bea,
            &details("Bea Backup", Some("admin")),
        )
        .await
        .unwrap();
        assert_eq!(user(&db.pool, ACME_BACKUP).await.role, Role::Admin, "{b}");
        // Boston is full of callers? It has three: Alice makes four. Bea, admin now, steps her
        // down (nobody changes their own role).
        let bea_admin = user(&db.pool, ACME_BACKUP).await;
        contacts::update_contact(
            &db.pool,
            &bea_admin,
            &alice_contact,
            &details("Alice Admin", Some("authorized_caller")),
        )
        .await
        .unwrap();
        let alice_now = user(&db.pool, ACME_ADMIN).await;
        assert_eq!(alice_now.role, Role::AuthorizedCaller, "{b}: highest role");
        // No longer an admin: she cannot manage contacts any more.
        let r = contacts::remove_contact(&db.pool, &alice_now, &bea).await;
        assert_eq!(r, Err(AppError::Forbidden), "{b}");
    }
}

#[tokio::test]
async fn backup_contacts_only_where_the_organization_has_an_admin() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let fra = site_id(&db.pool, FRANKFURT).await;
        let boston = site_id(&db.pool, BOSTON).await;
        let input = new_contact(&fra, "backup_contact", "bk@acme.example", "Bo Backup");
        let (f, m) = field(contacts::add_contact(&db.pool, &admin, &input).await);
        assert_eq!(f, "role", "{b}");
        assert!(m.contains("Backup contacts must be at a site"), "{b}: {m}");
        assert_eq!(
            count(
                &db.pool,
                "SELECT COUNT(*) FROM users WHERE email = 'bk@acme.example'"
            )
            .await,
            0,
            "{b}: refused add leaves no account"
        );
        // At the admin's site it is fine.
        let input = new_contact(&boston, "backup_contact", "bk@acme.example", "Bo Backup");
        contacts::add_contact(&db.pool, &admin, &input)
            .await
            .unwrap();

        // The backup contact at the admin's site keeps the contacts up to date; the admin role
        // stays the admins' ("the Pure1 Admin is responsible for the administration of
        // contacts", guides; see contact_admins.rs).
        let bea = user(&db.pool, ACME_BACKUP).await;
        let page = contacts::contacts_page(&db.pool, &bea, None).await.unwrap();
        assert!(page.can_manage && page.history.is_some(), "{b}");
        assert!(!page.manages_admins, "{b}");
        let added = contacts::add_contact(
            &db.pool,
            &admin,
            &new_contact(&fra, "admin", "fra-admin@acme.example", "Fran Admin"),
        )
        .await
        .unwrap();
        // Now Frankfurt has an admin, so it can have backup contacts.
        let input = new_contact(&fra, "backup_contact", "bk@acme.example", "Bo Backup");
        contacts::add_contact(&db.pool, &bea, &input).await.unwrap();
        // ... and may not lose its admin while it has them.
        let r = contacts::remove_contact(&db.pool, &admin, &added.contact_id).await;
        assert!(
            matches!(&r, Err(AppError::Conflict(m)) if m.contains("Backup contacts")),
            "{b}: {r:?}"
        );
        // One person, one role per site.
        let again = new_contact(&fra, "authorized_caller", "bk@acme.example", "Bo");
        let (f, m) = field(contacts::add_contact(&db.pool, &bea, &again).await);
        assert_eq!(f, "email");
        assert!(m.contains("already backup contact"), "{b}: {m}");
    }
}

#[tokio::test]
async fn every_contact_function_checks_role_and_organization() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let globex = user(&db.pool, GLOBEX_ADMIN).await;
        let staff = user(&db.pool, ENGINEER).await;
        let boston = site_id(&db.pool, BOSTON).await;
        let acme_org = admin.organization_id.clone().unwrap();
        let alice_contact = contact_id(&db.pool, ACME_ADMIN, BOSTON).await;
        let carl_contact = contact_id(&db.pool, ACME_CALLER, BOSTON).await;
        let settings = SettingsInput {
            team_email: "team@acme.example".into(),
            ..SettingsInput::default()
        };

        // An authorized caller sees the list, not the history, and changes only themselves.
        let page = contacts::contacts_page(&db.pool, &caller, None)
            .await
            .unwrap();
        assert!(!page.can_manage && page.history.is_none(), "{b}");
        let boston_contacts = &page
            .sites
            .iter()
            .find(|s| s.site_name == BOSTON)
            .unwrap()
            .contacts;
        assert_eq!(
            boston_contacts.len(),
            5,
            "{b}: admin, backup, three callers"
        );
        assert_eq!(boston_contacts[0].role, Role::Admin);
        assert!(boston_contacts
            .iter()
            .any(|c| c.is_me && c.id == carl_contact));
        let forbidden = Err(AppError::Forbidden);
        let input = new_contact(&boston, "authorized_caller", "x@acme.example", "X");
        assert_eq!(
            contacts::add_contact(&db.pool, &caller, &input)
                .await
                .map(|_| ()),
            forbidden,
            "{b}"
        );
        assert_eq!(
            contacts::update_contact(&db.pool, &caller, &alice_contact, &details("Al", None)).await,
            forbidden
        );
        assert_eq!(
            contacts::update_contact(
                &db.pool,
                &caller,
                &carl_contact,
                &details("Carl Caller", Some("admin"))
            )
            .await,
            forbidden,
            "{b}: no self-promotion"
        );
        assert_eq!(
            contacts::remove_contact(&db.pool, &caller, &alice_contact).await,
            forbidden
        );
        assert_eq!(
            contacts::remove_contact(&db.pool, &caller, &carl_contact).await,
            forbidden
        );
        assert_eq!(
            contacts::reinvite_contact(&db.pool, &caller, &carl_contact)
                .await
                .map(|_| ()),
            forbidden
        );
        assert_eq!(
            contacts::update_settings(&db.pool, &caller, &settings).await,
            forbidden
        );
        // Their own details they may change (the same role posted back is not a change).
        contacts::update_contact(
            &db.pool,
            &caller,
            &carl_contact,
            &details("Carl C. Caller", Some("authorized_caller")),
        )
        .await
        .unwrap();
        assert_eq!(user(&db.pool, ACME_CALLER).await.name, "Carl C. Caller");

        // Another organization's contacts look like unknown ones.
        let nf = Err(AppError::NotFound("Contact".into()));
        assert_eq!(
            contacts::contacts_page(&db.pool, &globex, Some(&acme_org))
                .await
                .map(|_| ()),
            Err(AppError::NotFound("Organization".into())),
            "{b}"
        );
        let own = contacts::contacts_page(&db.pool, &globex, None)
            .await
            .unwrap();
        assert!(own.sites.iter().all(|s| s.site_name == TOKYO), "{b}");
        assert_eq!(
            contacts::update_contact(&db.pool, &globex, &carl_contact, &details("Z", None)).await,
            nf
        );
        assert_eq!(
            contacts::remove_contact(&db.pool, &globex, &carl_contact).await,
            nf
        );
        assert_eq!(
            contacts::reinvite_contact(&db.pool, &globex, &carl_contact)
                .await
                .map(|_| ()),
            nf
        );
        let into_acme = new_contact(&boston, "authorized_caller", "spy@globex.example", "Spy");
        assert_eq!(
            field(contacts::add_contact(&db.pool, &globex, &into_acme).await).0,
            "site_id",
            "{b}"
        );
        // Someone of another organization cannot be designated (e-mail addresses are unique).
        let tokyo = site_id(&db.pool, TOKYO).await;
        let poach = new_contact(&tokyo, "authorized_caller", ACME_CALLER, "Carl");
        assert_eq!(
            field(contacts::add_contact(&db.pool, &globex, &poach).await).0,
            "email"
        );

        // Vendor staff read any organization's contacts and change none.
        let pick = contacts::contacts_page(&db.pool, &staff, None)
            .await
            .unwrap();
        assert!(pick.organization.is_none() && pick.organizations.len() >= 2);
        let read = contacts::contacts_page(&db.pool, &staff, Some(&acme_org))
            .await
            .unwrap();
        assert!(!read.can_manage && read.history.is_none() && !read.sites.is_empty());
        assert_eq!(
            contacts::add_contact(&db.pool, &staff, &input)
                .await
                .map(|_| ()),
            forbidden
        );
        assert_eq!(
            contacts::update_contact(&db.pool, &staff, &carl_contact, &details("Z", None)).await,
            forbidden
        );
        assert_eq!(
            contacts::remove_contact(&db.pool, &staff, &carl_contact).await,
            forbidden
        );
        assert_eq!(
            contacts::update_settings(&db.pool, &staff, &settings).await,
            forbidden
        );
        assert_eq!(
            contacts::reinvite_contact(&db.pool, &staff, &carl_contact)
                .await
                .map(|_| ()),
            forbidden
        );
        // The admin may do all of it.
        contacts::update_settings(&db.pool, &admin, &settings)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn removing_a_last_role_ends_sign_in_and_sessions() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let admin = user(&db.pool, ACME_ADMIN).await;
        let boston = site_id(&db.pool, BOSTON).await;
        let fra = site_id(&db.pool, FRANKFURT).await;
        let dana = "dana@acme.example";
        let token = sign_in(&db.pool, &cfg, dana, "acme-dana-demo", IP)
            .await
            .unwrap();
        // A second role at Frankfurt: removing the Boston one keeps her signed in.
        contacts::add_contact(
            &db.pool,
            &admin,
            &new_contact(&fra, "authorized_caller", dana, "Dana Dispatch"),
        )
        .await
        .unwrap();
        let bos = contact_id(&db.pool, dana, BOSTON).await;
        contacts::remove_contact(&db.pool, &admin, &bos)
            .await
            .unwrap();
        assert!(
            user_for_token(&db.pool, &cfg, &token)
                .await
                .unwrap()
                .is_some(),
            "{b}: still a contact at Frankfurt"
        );
        // Her last role goes: the session ends now, and sign-in is refused.
        let fra_contact = contact_id(&db.pool, dana, FRANKFURT).await;
        contacts::remove_contact(&db.pool, &admin, &fra_contact)
            .await
            .unwrap();
        assert!(
            user_for_token(&db.pool, &cfg, &token)
                .await
                .unwrap()
                .is_none(),
            "{b}: session ended"
        );
        assert_eq!(
            sign_in(&db.pool, &cfg, dana, "acme-dana-demo", IP).await,
            Err(AppError::BadCredentials),
            "{b}"
        );
        // Designated again, she signs in with her old password (no new invitation).
        let again = contacts::add_contact(
            &db.pool,
            &admin,
            &new_contact(&boston, "authorized_caller", dana, "Dana Dispatch"),
        )
        .await
        .unwrap();
        assert!(again.invitation.is_none(), "{b}");
        sign_in(&db.pool, &cfg, dana, "acme-dana-demo", IP)
            .await
            .unwrap();
        let entries = count(
            &db.pool,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'contact' AND before_json LIKE '%dana@acme.example%'",
        )
        .await;
        assert_eq!(
            entries, 2,
            "{b}: both removals audited with the before state"
        );
    }
}

#[tokio::test]
async fn invitations_are_single_use_and_expire() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let admin = user(&db.pool, ACME_ADMIN).await;
        let boston = site_id(&db.pool, BOSTON).await;
        let added = contacts::add_contact(
            &db.pool,
            &admin,
            &new_contact(&boston, "admin", "New.Person@Acme.example", "New Person"),
        )
        .await
        .unwrap();
        let link = added.invitation.expect("invited");
        assert_eq!(link.token.len(), 64);
        // Stored hashed: the token itself is nowhere in the database.
        let stored = count(
            &db.pool,
            &format!(
                "SELECT COUNT(*) FROM invitations WHERE id = '{}'",
                link.token
            ),
        )
        .await;
        assert_eq!(stored, 0, "{b}");
        let info = contacts::invitation_info(&db.pool, &link.token)
            .await
            .unwrap();
        assert_eq!(info.email, "new.person@acme.example", "{b}: lower-cased");
        assert_eq!(info.organization_name, "Acme Corp");
        let days = (info.expires_at - chrono::Utc::now()).num_hours();
        assert!((167..=168).contains(&days), "{b}: seven days, got {days} h");
        // Not signed in before the password is set.
        assert_eq!(
            sign_in(
                &db.pool,
                &cfg,
                "new.person@acme.example",
                "anything-at-all",
                IP
            )
            .await,
            Err(AppError::BadCredentials)
        );
        let short = contacts::accept_invitation(&db.pool, &link.token, "short", "short").await;
        assert_eq!(field(short).0, "password", "{b}");
        let differ = contacts::accept_invitation(
            &db.pool,
            &link.token,
            "a-long-enough-password",
            "another-long-password",
        )
        .await;
        assert_eq!(field(differ).0, "password_confirm");
        contacts::accept_invitation(
            &db.pool,
            &link.token,
            "a-long-enough-password",
            "a-long-enough-password",
        )
        .await
        .unwrap();
        let token = sign_in(
            &db.pool,
            &cfg,
            "new.person@acme.example",
            "a-long-enough-password",
            IP,
        )
        .await
        .unwrap();
        let me = user_for_token(&db.pool, &cfg, &token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(me.role, Role::Admin, "{b}");
        // Single use.
        let again = contacts::accept_invitation(
            &db.pool,
            &link.token,
            "yet-another-password",
            "yet-another-password",
        )
        .await;
        assert!(
            matches!(&again, Err(AppError::Conflict(m)) if m.contains("already used")),
            "{b}: {again:?}"
        );
        assert!(matches!(
            contacts::invitation_info(&db.pool, &link.token).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(
            contacts::invitation_info(&db.pool, "not-a-token").await,
            Err(AppError::NotFound("Invitation link".into()))
        );

        // Expired links are refused.
        let fra = site_id(&db.pool, FRANKFURT).await;
        let late = contacts::add_contact(
            &db.pool,
            &admin,
            &new_contact(&fra, "authorized_caller", "late@acme.example", "Late Comer"),
        )
        .await
        .unwrap();
        let late_link = late.invitation.unwrap();
        sqlx::query("UPDATE invitations SET expires_at = 1 WHERE used_at IS NULL")
            .execute(&db.pool)
            .await
            .unwrap();
        let r = contacts::accept_invitation(
            &db.pool,
            &late_link.token,
            "a-long-enough-password",
            "a-long-enough-password",
        )
        .await;
        assert!(
            matches!(&r, Err(AppError::Conflict(m)) if m.contains("expired")),
            "{b}: {r:?}"
        );
        // A new link replaces it; the page says the contact's invitation is pending.
        let fresh = contacts::reinvite_contact(&db.pool, &admin, &late.contact_id)
            .await
            .unwrap();
        let page = contacts::contacts_page(&db.pool, &admin, None)
            .await
            .unwrap();
        let c = page
            .sites
            .iter()
            .flat_map(|s| s.contacts.iter())
            .find(|c| c.email == "late@acme.example")
            .unwrap();
        assert!(c.invitation_pending && !c.can_sign_in, "{b}");
        // Removed before accepting: the link dies with the role.
        contacts::remove_contact(&db.pool, &admin, &late.contact_id)
            .await
            .unwrap();
        assert!(matches!(
            contacts::invitation_info(&db.pool, &fresh.token).await,
            Err(AppError::Conflict(_))
        ));
        // Someone who already has a password gets no new link.
        let carl = contact_id(&db.pool, ACME_CALLER, BOSTON).await;
        assert!(matches!(
            contacts::reinvite_contact(&db.pool, &admin, &carl).await,
            Err(AppError::Conflict(_))
        ));
    }
}

#[tokio::test]
async fn team_settings_and_history() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let page = contacts::contacts_page(&db.pool, &admin, None)
            .await
            .unwrap();
        assert_eq!(
            page.settings.team_email, "storage-team@acme.example",
            "{b}: demo"
        );
        let bad = SettingsInput {
            team_email: "not an address".into(),
            ..SettingsInput::default()
        };
        assert_eq!(
            field(contacts::update_settings(&db.pool, &admin, &bad).await).0,
            "team_email"
        );
        let past = SettingsInput {
            no_contact: true,
            no_contact_until: "2020-01-01".into(),
            ..SettingsInput::default()
        };
        assert_eq!(
            field(contacts::update_settings(&db.pool, &admin, &past).await).0,
            "no_contact_until"
        );
        let order = SettingsInput {
            team_email: "oncall@acme.example".into(),
            team_phone: "+1 617 555 0199".into(),
            no_contact: true,
            no_contact_until: "2099-12-31".into(),
            preferred_hours: "Weekdays 9-17 Eastern".into(),
        };
        contacts::update_settings(&db.pool, &admin, &order)
            .await
            .unwrap();
        let page = contacts::contacts_page(&db.pool, &admin, None)
            .await
            .unwrap();
        assert!(page.settings.no_contact_in_force, "{b}");
        assert_eq!(
            page.settings.no_contact_until.map(|d| d.to_string()),
            Some("2099-12-31".to_string())
        );
        let carl = contact_id(&db.pool, ACME_CALLER, BOSTON).await;
        // History is ordered by the millisecond: keep the two changes apart.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        contacts::update_contact(
            &db.pool,
            &admin,
            &carl,
            &details("Carl Caller", Some("admin")),
        )
        .await
        .unwrap();
        let history = contacts::contacts_page(&db.pool, &admin, None)
            .await
            .unwrap()
            .history
            .unwrap();
        assert_eq!(history.len(), 2, "{b}");
        assert_eq!(history[0].action, "Contact changed");
        assert!(
            history[0]
                .summary
                .contains("role Authorized caller → Admin"),
            "{}",
            history[0].summary
        );
        assert_eq!(history[0].actor_name.as_deref(), Some("Alice Admin"));
        assert!(history[0]
            .before
            .as_deref()
            .unwrap()
            .contains("authorized_caller"));
        assert_eq!(history[1].action, "Team settings changed");
        assert!(history[1]
            .after
            .as_deref()
            .unwrap()
            .contains("oncall@acme.example"));
    }
}

/// The HTTP surface: a forged request by a caller is a 403, never a change.
#[tokio::test]
async fn forged_requests_are_refused_over_http() {
    use axum::body::Body;
    use http::{header, Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let post = |uri: &str, body: String, cookie: Option<&str>| {
        let mut r = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        r.body(Body::from(body)).unwrap()
    };
    let res = app
        .clone()
        .oneshot(post(
            "/api/login",
            "email=caller%40acme.example&password=acme-caller-demo".into(),
            None,
        ))
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let boston = site_id(&db.pool, BOSTON).await;
    let before = count(&db.pool, "SELECT COUNT(*) FROM site_contacts").await;
    let body =
        format!("site_id={boston}&role=authorized_caller&email=forged%40acme.example&name=Forged");
    let res = app
        .clone()
        .oneshot(post("/api/contacts/add", body.clone(), Some(&cookie)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .clone()
        .oneshot(post("/api/contacts/add", body, None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        count(&db.pool, "SELECT COUNT(*) FROM site_contacts").await,
        before
    );
    // The page itself renders on the server with the counts.
    let res = app
        .clone()
        .oneshot(
            Request::get("/contacts")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(html.contains("3 of 5"), "{html:.500}");
    assert!(!html.contains("Add contact"));
    // An unknown invitation link answers 404 with a page.
    let res = app
        .clone()
        .oneshot(Request::get("/invite/0000").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
