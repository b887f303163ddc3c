//! Things a page shows once (a new invitation link, new recovery codes), taken from the database
//! once per request and shared by everything that request renders.
//!
//! Why a memo: a page render may build a view more than once (a `Suspense` re-runs its children
//! when the session resolves), and each build asks the server for the page. The build that is
//! thrown away keeps running without its reactive owner, so it cannot even read the request's
//! context after its first await; without a memo taken *before* that await, that orphan took the
//! link from the database and the page that reached the browser found none (shown only
//! sometimes). Server functions therefore capture the memo with `ShownOnce::of_request` first
//! thing, and the orphan and the real build share one take.
use crate::model::AppError;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::OnceCell;

#[derive(Clone)]
pub struct ShownOnce<T>(Arc<OnceCell<T>>);

impl<T> Default for ShownOnce<T> {
    fn default() -> Self {
        ShownOnce(Arc::new(OnceCell::new()))
    }
}

impl<T: Clone + Send + Sync + 'static> ShownOnce<T> {
    /// This request's memo (the router provides one per request); call before any await.
    pub fn of_request() -> Option<Self> {
        leptos::prelude::use_context::<Self>()
    }

    /// What `take` returns, run at most once per request.
    pub async fn take<F, Fut>(memo: Option<&Self>, take: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        match memo {
            Some(m) => m.0.get_or_try_init(take).await.cloned(),
            None => take().await,
        }
    }
}
