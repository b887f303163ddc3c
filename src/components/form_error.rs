use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The error of a form's last submission, announced to screen readers. With JavaScript it is the
/// action's value; without, the server redirected back here with the error in the URL
/// (`__path`/`__err`), and the page then answers with the error's status code.
#[component]
pub fn FormError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let from_url = move || {
        let q = query.read();
        (q.get("__path").as_deref() == Some(S::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| ServerFnUrlError::<AppError>::decode_err(&e))
    };
    #[cfg(feature = "ssr")]
    if let Some(e) = query.with_untracked(|q| {
        (q.get("__path").as_deref() == Some(S::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| ServerFnUrlError::<AppError>::decode_err(&e))
    }) {
        crate::server::auth::set_status(e.status_code());
    }
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => from_url(),
    };
    view! {
        {move || error().map(|e| view! { <div class="alert error" role="alert">{e.to_string()}</div> })}
    }
}

/// A failed page load, in words the user can act on.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    view! { <div class="alert error" role="alert">{error.to_string()}</div> }
}
