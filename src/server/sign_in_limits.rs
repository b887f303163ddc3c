//! The sign-in limits, which must not be a weapon (`auth::sign_in_step` applies them).
use crate::model::AppError;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::throttle::{self, Counter, Outcome};
use sqlx::AnyPool;

// The limits must not be a weapon. Counted per account alone, five wrong passwords from anyone
// locked the account, the right password included: anyone could keep anyone out. So:
//
// * per account *and* address ("pair"): at most `MAX_FAILURES_PER_PAIR` failures per window, then
//   that address is refused for that account (the old local lockout, now aimed at the guesser);
// * per address: at most `MAX_FAILURES_PER_ADDRESS` failures per window across accounts (a spray
//   over many names from one place);
// * per account, a slow-down that grows with the account's failures from every address, applied
//   only to addresses that have themselves failed on it: such an address waits
//   `slowdown(account failures)` after its last failure before its next attempt is checked. A
//   distributed guesser thus gets about one guess per address and slow-down period instead of
//   five per window, while an address that has not failed on the account is never refused (unless
//   it sprayed other accounts past the per-address limit): the owner signs in during an attack.
//
// A delay is enforced by refusing early attempts (429), not by sleeping: a sleeping request would
// hold a connection and let a guesser queue as many as they like.

/// Failed sign-ins tolerated per account from one address, within `RATE_WINDOW_MS`.
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
/// Failed sign-ins tolerated per client address across accounts, within `RATE_WINDOW_MS`.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;
pub const RATE_WINDOW_MS: i64 = throttle::WINDOW_MS;
/// Account failures (all addresses) before addresses that failed on it must wait between tries.
pub const SLOWDOWN_AFTER: i64 = 3;
/// The longest such wait.
pub const MAX_SLOWDOWN_MS: i64 = 5 * 60 * 1000;

/// How long an address that failed on an account waits after its last failure: nothing for the
/// first `SLOWDOWN_AFTER` failures of the account, then 1 s, doubling with each failure, at most
/// `MAX_SLOWDOWN_MS`.
pub fn slowdown_ms(account_failures: i64) -> i64 {
    if account_failures < SLOWDOWN_AFTER {
        return 0;
    }
    let doublings = (account_failures - SLOWDOWN_AFTER).min(20) as u32;
    (1000i64 << doublings).min(MAX_SLOWDOWN_MS)
}

/// The counter keys of one sign-in attempt, locked in this order by every attempt (one order:
/// two attempts can never each hold a row the other waits for).
pub(crate) struct LimitKeys {
    account: String,
    pair: String,
    address: String,
}

impl LimitKeys {
    pub(crate) fn new(email: &str, ip: &str) -> Self {
        LimitKeys {
            account: format!("account:{email}"),
            pair: format!("pair:{email}|{ip}"),
            address: format!("address:{ip}"),
        }
    }
}

/// The counts one attempt saw under its rows' locks.
struct Seen {
    account: Counter,
    pair: Counter,
    address: Counter,
}

/// Whether an attempt with these counts may have its password checked (see the comment above).
fn admission(seen: &Seen, now: i64) -> Result<(), AppError> {
    if seen.address.used() >= MAX_FAILURES_PER_ADDRESS || seen.pair.used() >= MAX_FAILURES_PER_PAIR
    {
        return Err(AppError::RateLimited);
    }
    if seen.pair.failures > 0
        && now < seen.pair.last_failure_at + slowdown_ms(seen.account.failures)
    {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// Decides and counts the attempt as pending, in one transaction, before any password is checked.
pub(crate) async fn admit(pool: &AnyPool, keys: &LimitKeys, now: i64) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await?;
    let seen = Seen {
        account: throttle::lock(&mut tx, &keys.account, now).await?,
        pair: throttle::lock(&mut tx, &keys.pair, now).await?,
        address: throttle::lock(&mut tx, &keys.address, now).await?,
    };
    admission(&seen, now)?;
    for key in [&keys.account, &keys.pair, &keys.address] {
        throttle::add_pending(&mut tx, key).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An admitted attempt that got no answer about its password (a database error) stops counting as
/// pending. At worst (the database is still away) it counts until its window ends.
pub(crate) async fn abandon(pool: &AnyPool, keys: &LimitKeys) {
    let release = async {
        let mut tx = begin_write(pool).await?;
        for key in [&keys.account, &keys.pair, &keys.address] {
            throttle::settle(&mut tx, key, Outcome::Abandoned, now_ms()).await?;
        }
        tx.commit().await?;
        Ok::<(), AppError>(())
    };
    if let Err(e) = release.await {
        tracing::warn!(error = %e, "a sign-in attempt stays counted as pending");
    }
}

/// Records how an admitted attempt ended on its three counters.
pub(crate) async fn settle(
    conn: &mut sqlx::AnyConnection,
    keys: &LimitKeys,
    succeeded: bool,
    now: i64,
) -> Result<(), AppError> {
    let (other, pair) = if succeeded {
        // The address knows the password: its earlier failures on this account are forgiven.
        (Outcome::Succeeded, Outcome::SucceededForgiving)
    } else {
        (Outcome::Failed, Outcome::Failed)
    };
    throttle::settle(conn, &keys.account, other, now).await?;
    throttle::settle(conn, &keys.pair, pair, now).await?;
    throttle::settle(conn, &keys.address, other, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slowdown_starts_late_doubles_and_stops_growing() {
        assert_eq!(slowdown_ms(0), 0);
        assert_eq!(slowdown_ms(SLOWDOWN_AFTER - 1), 0);
        assert_eq!(slowdown_ms(SLOWDOWN_AFTER), 1000);
        assert_eq!(slowdown_ms(SLOWDOWN_AFTER + 3), 8000);
        assert_eq!(slowdown_ms(SLOWDOWN_AFTER + 30), MAX_SLOWDOWN_MS);
        assert_eq!(slowdown_ms(i64::MAX), MAX_SLOWDOWN_MS);
    }

    #[test]
    fn an_address_that_has_not_failed_is_never_slowed_down() {
        let now = 10_000_000;
        let failed = |failures, pending| Counter {
            failures,
            pending,
            last_failure_at: now - 1,
        };
        let seen = |account, pair, address| Seen {
            account,
            pair,
            address,
        };
        let attacked = failed(1000, 0);
        // However attacked the account, a clean pair on a clean address passes.
        assert!(admission(&seen(attacked, Counter::default(), failed(0, 0)), now).is_ok());
        // The pair that failed waits out the slow-down...
        let r = admission(&seen(attacked, failed(1, 0), failed(1, 0)), now);
        assert_eq!(r, Err(AppError::RateLimited));
        let long_ago = Counter {
            last_failure_at: now - MAX_SLOWDOWN_MS,
            ..failed(1, 0)
        };
        assert!(admission(&seen(attacked, long_ago, long_ago), now).is_ok());
        // ...and its count limit holds, attempts still being checked included.
        let r = admission(
            &seen(attacked, failed(0, MAX_FAILURES_PER_PAIR), failed(0, 5)),
            now,
        );
        assert_eq!(r, Err(AppError::RateLimited));
        // The per-address limit is kept.
        let r = admission(
            &seen(
                attacked,
                Counter::default(),
                failed(MAX_FAILURES_PER_ADDRESS, 0),
            ),
            now,
        );
        assert_eq!(r, Err(AppError::RateLimited));
    }
}
