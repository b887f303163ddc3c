use crate::components::auth::AuthContext;
use crate::components::form_error::FormError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let reset = query.with_untracked(|q| q.get("reset").as_deref() == Some("done"));
    // The contacts page lands here when someone removed their own last role.
    let removed_self = query.with_untracked(|q| q.get("removed").as_deref() == Some("self"));
    view! {
        <Title text="Sign in"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="sign-in-title">
                <h1 id="sign-in-title">"Sign in"</h1>
                <p class="muted">
                    "Support Portal is for your organization's designated support contacts."
                </p>
                {reset.then(|| view! {
                    <div class="alert success" role="status">
                        "Your password was changed and every session signed out. Sign in with the new password."
                    </div>
                })}
                {removed_self.then(|| view! {
                    <div class="alert success" role="status">
                        "You removed your last role as a support contact, so you are signed out. An admin or backup contact of your organization can add you back."
                    </div>
                })}
                <FormError action=auth.login/>
                <ActionForm action=auth.login attr:class="form">
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"E-mail address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                        <p class="hint"><a href="/forgot-password">"Forgot password?"</a></p>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary">"Sign in"</button>
                    </div>
                </ActionForm>
                <p class="muted">
                    "Want to know what support owes you for a case? The "
                    <a href="/sla">"SLA calculator"</a>
                    " works without signing in."
                </p>
            </section>
        </div>
    }
}
