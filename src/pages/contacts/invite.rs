//! `/invite/:token`: the page where an invited contact chooses a password.
use crate::api::contacts::{invitation_info, AcceptInvitation};
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::AppError;
use crate::sla::explain::fmt_local;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/invite/:token`: the invited person chooses a password, then signs in.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let info = Resource::new(token, invitation_info);
    let action = ServerAction::<AcceptInvitation>::new();
    let error = use_action_error(action);
    view! {
        <Title text="Set your password"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="invite-title">
                <h1 id="invite-title">"Set your password"</h1>
                <Suspense fallback=|| view! { <p class="muted">"Checking the invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(i) => view! {
                                <p>{format!("Welcome, {}. You are a support contact of {}.", i.name, i.organization_name)}</p>
                                <p class="muted">{format!("You will sign in as {}. This link works once, until {}.", i.email, fmt_local(i.expires_at, chrono_tz::UTC))}</p>
                                <ActionForm action attr:class="form">
                                    <ErrorAlert error/>
                                    <input type="hidden" name="token" value=token()/>
                                    <input type="email" value=i.email.clone() autocomplete="username" hidden readonly/>
                                    <div class="field">
                                        <label for="new-password">"New password"</label>
                                        <p class="hint">{format!("At least {} characters.", crate::model::contact::MIN_PASSWORD_CHARS)}</p>
                                        <input id="new-password" name="password" type="password" autocomplete="new-password" required
                                            minlength=crate::model::contact::MIN_PASSWORD_CHARS.to_string()/>
                                        <FieldError error field="password"/>
                                    </div>
                                    <div class="field">
                                        <label for="password-confirm">"Repeat the password"</label>
                                        <input id="password-confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                                        <FieldError error field="password_confirm"/>
                                    </div>
                                    <div class="actions"><button type="submit" class="button primary">"Set password"</button></div>
                                </ActionForm>
                            }.into_any(),
                            Err(e) => {
                                #[cfg(feature = "ssr")]
                                crate::response::set_status(e.status_code());
                                view! { <InvitationProblem e/> }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn InvitationProblem(e: AppError) -> impl IntoView {
    view! {
        <ErrorMessage error=e/>
        <p><A href="/login">"Go to sign-in"</A></p>
    }
    .into_any()
}
