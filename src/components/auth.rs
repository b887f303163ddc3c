//! The session as the views see it: the context every page reads, and the gate that sends
//! anonymous visitors to the sign-in page.
use crate::api::auth::{Login, Logout};
use crate::components::form_error::ErrorMessage;
use crate::model::url::encode_component;
use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// The session as every page sees it, read once per request. `login` and `logout` are the sign-in
/// and sign-out forms' server functions: both redirect, so the next page reads the new session.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

/// Renders `children` with the signed-in user; sends anonymous visitors to the sign-in page,
/// remembering where they were going. The server enforces access on its own; this is the page.
#[component]
pub fn RequireUser<F, IV>(children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let auth = expect_context::<AuthContext>();
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        // The server refuses such an account everything else; the page says where
                        // to go instead of a wall of refusals.
                        Ok(Some(user))
                            if user.second_factor_missing
                                && location.pathname.get_untracked() != "/account" =>
                        {
                            view! { <Redirect path="/account?two_step=required#two-step"/> }.into_any()
                        }
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) | Err(AppError::Unauthenticated) => {
                            let here = format!(
                                "{}{}",
                                location.pathname.get_untracked(),
                                location.search.get_untracked()
                            );
                            let to = format!("/login?next={}", encode_component(&here));
                            view! { <Redirect path=to/> }.into_any()
                        }
                        Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
