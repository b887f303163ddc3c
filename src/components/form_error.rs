use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The error a form came back with: the server function redirected back here with it in the URL
/// (`__path`/`__err`), and the page answers with the error's status code. `action` names the
/// form. Pages render on the server only; an island that calls a server function in place reads
/// the action's value instead (and gets this one as a prop).
pub fn use_action_error<S>(_action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_url = (query_value("__path").as_deref() == Some(S::PATH))
        .then(|| query_value("__err"))
        .flatten()
        .map(|e| ServerFnUrlError::<AppError>::decode_err(&e));
    #[cfg(feature = "ssr")]
    if let Some(e) = &from_url {
        crate::response::set_status(e.status_code());
    }
    Signal::stored(from_url)
}

fn query_value(key: &str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(key))
}

/// The form's error, announced to screen readers.
#[component]
pub fn FormError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let error = use_action_error(action);
    view! { <ErrorAlert error/> }
}

#[component]
pub fn ErrorAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(
            |e| view! { <div class="alert error" role="alert">{e.into_public().to_string()}</div> },
        )
    }
}

/// The `aria-describedby` of a field: its `FieldError`'s id while the error is about it.
pub fn described_by(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|_| format!("{field}-error"))
    }
}

/// The error's message next to the field it is about (`id` = `{field}-error`, for
/// `aria-describedby`).
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field() == Some(field)).map(|e| {
            view! { <p class="field-error" id=format!("{field}-error")>{e.to_string()}</p> }
        })
    }
}

/// A failed page load, in words the user can act on.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    // The page's HTTP status says the same as its words: 404 for an unknown id, 503 while the
    // database is away (a load balancer and a no-JS browser both see it).
    #[cfg(feature = "ssr")]
    crate::response::set_status(error.status_code());
    // A server function called while the page renders hands over its internal error as it is.
    let error = error.into_public();
    view! { <div class="alert error" role="alert">{error.to_string()}</div> }
}
