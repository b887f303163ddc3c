//! The second step of signing in: the code from the authenticator app, or a recovery code.
use crate::api::second_factor::{pending_sign_in, VerifySignInCode};
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let pending = Resource::new(|| (), |_| pending_sign_in());
    let action = ServerAction::<VerifySignInCode>::new();
    let error = use_action_error(action);
    view! {
        <Title text="Two-step sign-in"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="code-title">
                <h1 id="code-title">"Enter your code"</h1>
                <Suspense fallback=|| view! { <p class="muted">"Checking your sign-in…"</p> }>
                    {move || Suspend::new(async move {
                        match pending.await {
                            Ok(Some(email)) => view! {
                                <p class="muted">{format!("Signing in as {email}. Open your authenticator app and enter the six-digit code it shows for Support Portal.")}</p>
                                <ErrorAlert error/>
                                <ActionForm action attr:class="form">
                                    <input type="hidden" name="next" value=next/>
                                    <div class="field">
                                        <label for="code">"Authentication code"</label>
                                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                                            required maxlength="32" aria-describedby="code-hint"/>
                                        <p class="hint" id="code-hint">"Lost your phone? Enter one of your recovery codes instead (like abcde-fghjk); each works once."</p>
                                        <FieldError error field="code"/>
                                    </div>
                                    <div class="actions">
                                        <button type="submit" class="button primary">"Verify"</button>
                                    </div>
                                </ActionForm>
                                <p class="muted">"No code and no recovery code? Ask support to reset your second factor. "
                                    <a href="/login">"Sign in again"</a></p>
                            }.into_any(),
                            _ => view! {
                                <ErrorAlert error/>
                                <div class="alert error" role="alert">"This sign-in has expired or was not started here. Sign in again with your password."</div>
                                <p><a class="button primary" href="/login">"Sign in"</a></p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}
