use crate::app::AuthContext;
use crate::components::form_error::ErrorMessage;
use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

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

/// Percent-encodes a URL query value (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query() {
        assert_eq!(
            super::encode_component("/cases?a=1&b"),
            "/cases%3Fa%3D1%26b"
        );
    }
}
