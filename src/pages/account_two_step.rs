//! The Account page's "Two-step sign-in" section: set an authenticator app up (QR code, a link
//! for the phone's own app, the secret as text), confirm it with a code, see the recovery codes
//! once, turn it off; and for an organization's admin, require it of everyone.
use crate::api::second_factor::{
    ConfirmSecondFactor, SetOrganizationSecondFactor, StartSecondFactor, TurnOffSecondFactor,
};
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use crate::model::account::{SecondFactor, SecondFactorPage};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn TwoStep(p: SecondFactorPage) -> impl IntoView {
    let required = p.required;
    let body = match p.factor {
        SecondFactor::Off => view! { <Off required/> }.into_any(),
        SecondFactor::SettingUp {
            secret,
            otpauth_url,
            qr_svg,
        } => view! { <SettingUp secret otpauth_url qr_svg/> }.into_any(),
        SecondFactor::On {
            recovery_codes_left,
            new_recovery_codes,
        } => view! { <On left=recovery_codes_left codes=new_recovery_codes required/> }.into_any(),
    };
    view! {
        <section class="stack" id="two-step" aria-labelledby="two-step-h">
            <h2 id="two-step-h">"Two-step sign-in"</h2>
            {body}
            {p.organization_requires.map(|on| view! { <OrganizationRule on/> })}
        </section>
    }
}

#[component]
fn Off(required: bool) -> impl IntoView {
    let action = ServerAction::<StartSecondFactor>::new();
    let error = use_action_error(action);
    view! {
        {required.then(|| view! {
            <div class="alert warning" role="alert">
                "Your account requires two-step sign-in. Set it up to continue: until then the portal shows only this page."
            </div>
        })}
        <p>"Status: " <strong>"Off"</strong> ". With it on, signing in asks for your password and a code from an authenticator app on your phone, so a stolen password alone opens nothing."</p>
        <ErrorAlert error/>
        <ActionForm action>
            <button type="submit" class="button primary">"Set up an authenticator app"</button>
        </ActionForm>
    }
}

#[component]
fn SettingUp(secret: String, otpauth_url: String, qr_svg: String) -> impl IntoView {
    let action = ServerAction::<ConfirmSecondFactor>::new();
    let error = use_action_error(action);
    // Grouped by four as apps print it; typed with or without the spaces.
    let grouped: String = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <ol class="stack">
            <li>
                "Scan this QR code with an authenticator app (for example Google Authenticator, Microsoft Authenticator, 1Password or FreeOTP):"
                <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=qr_svg></div>
                "On this phone? " <a href=otpauth_url>"Open it in your authenticator app"</a>
                ". Or type the key: " <code class="secret" data-secret=secret.clone()>{grouped}</code>
            </li>
            <li>
                <ErrorAlert error/>
                <ActionForm action attr:class="form card">
                    <div class="field">
                        <label for="confirm-code">"Code from the app"</label>
                        <input id="confirm-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32"/>
                        <FieldError error field="code"/>
                    </div>
                    <div class="actions"><button type="submit" class="button primary">"Turn on two-step sign-in"</button></div>
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn On(left: i64, codes: Vec<String>, required: bool) -> impl IntoView {
    let action = ServerAction::<TurnOffSecondFactor>::new();
    let error = use_action_error(action);
    let fresh = !codes.is_empty();
    view! {
        <p>"Status: " <strong>"On"</strong> {format!(". {left} unused recovery code(s) left.")}</p>
        {fresh.then(|| view! {
            <div class="alert success stack" role="status">
                <p><strong>"Two-step sign-in is on. Save these recovery codes now: they are shown this once."</strong>
                    " Each lets you sign in once without your phone."</p>
                <ul class="recovery-codes" aria-label="Recovery codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </div>
        })}
        {if required {
            view! { <p class="muted">"Your account must keep two-step sign-in. Lost your phone? Sign in with a recovery code; support can reset the app for you."</p> }.into_any()
        } else {
            view! {
                <details>
                    <summary>"Turn off two-step sign-in"</summary>
                    <ErrorAlert error/>
                    <ActionForm action attr:class="form card">
                        <div class="field">
                            <label for="off-password">"Password"</label>
                            <input id="off-password" name="current_password" type="password" autocomplete="current-password" required/>
                            <FieldError error field="current_password"/>
                        </div>
                        <div class="field">
                            <label for="off-code">"Code from the app, or a recovery code"</label>
                            <input id="off-code" name="code" type="text" autocomplete="one-time-code" required maxlength="32"/>
                            <FieldError error field="code"/>
                        </div>
                        <div class="actions"><button type="submit" class="button danger">"Turn off"</button></div>
                    </ActionForm>
                </details>
            }.into_any()
        }}
    }
}

#[component]
fn OrganizationRule(on: bool) -> impl IntoView {
    let action = ServerAction::<SetOrganizationSecondFactor>::new();
    let error = use_action_error(action);
    view! {
        <h3>"For your organization"</h3>
        <ErrorAlert error/>
        <ActionForm action attr:class="form card">
            <div class="field checkbox">
                <input id="org-two-step" name="required" type="checkbox" value="on" checked=on/>
                <label for="org-two-step">"Require two-step sign-in of every contact in the organization"</label>
            </div>
            <p class="hint">"Contacts without it are asked to set it up at their next page."</p>
            <div class="actions"><button type="submit" class="button secondary">"Save"</button></div>
        </ActionForm>
    }
}
