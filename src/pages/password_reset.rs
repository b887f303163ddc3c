//! "Forgot password?": the form that asks for a link by e-mail, and the page the link opens,
//! where the person chooses a new password. Neither needs a session; both are plain posts.
use crate::api::account::{RequestPasswordReset, ResetPassword};
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use crate::model::account::RESET_LINK_MINUTES;
use crate::model::contact::MIN_PASSWORD_CHARS;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = use_action_error(action);
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    view! {
        <Title text="Forgot password"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="forgot-title">
                <h1 id="forgot-title">"Forgot your password?"</h1>
                {sent.then(|| view! {
                    <div class="alert success" role="status">
                        {format!(
                            "If an account uses that address, we have sent it a link to set a new \
                             password. The link works once, within {RESET_LINK_MINUTES} minutes."
                        )}
                    </div>
                })}
                <p class="muted">"Enter the e-mail address you sign in with, and we will e-mail you a link to choose a new password."</p>
                <ActionForm action attr:class="form">
                    <ErrorAlert error/>
                    <div class="field">
                        <label for="email">"E-mail address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required/>
                        <FieldError error field="email"/>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary">"Send the link"</button>
                    </div>
                </ActionForm>
                <p><A href="/login">"Back to sign-in"</A></p>
            </section>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    let error = use_action_error(action);
    view! {
        <Title text="Choose a new password"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="reset-title">
                <h1 id="reset-title">"Choose a new password"</h1>
                <p class="muted">"Setting it signs you out everywhere; then sign in with the new password."</p>
                <ActionForm action attr:class="form">
                    <ErrorAlert error/>
                    <input type="hidden" name="token" value=token/>
                    <div class="field">
                        <label for="new-password">"New password"</label>
                        <p class="hint">{format!("At least {MIN_PASSWORD_CHARS} characters, and not one of the most common passwords.")}</p>
                        <input id="new-password" name="password" type="password" autocomplete="new-password" required
                            minlength=MIN_PASSWORD_CHARS.to_string()/>
                        <FieldError error field="password"/>
                    </div>
                    <div class="field">
                        <label for="password-confirm">"Repeat the new password"</label>
                        <input id="password-confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                        <FieldError error field="password_confirm"/>
                    </div>
                    <div class="actions"><button type="submit" class="button primary">"Set password"</button></div>
                </ActionForm>
                <p><A href="/forgot-password">"Ask for a new link"</A></p>
            </section>
        </div>
    }
}
