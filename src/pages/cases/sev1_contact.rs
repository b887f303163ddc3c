//! The Severity 1 contact fields both case forms ask for (the customer's open-case form and
//! support's log-case form): "a designated contact must be available at all times".
use crate::components::form_error::{described_by, FieldError};
use crate::model::AppError;
use leptos::prelude::*;

#[component]
pub fn Sev1ContactFields(error: Signal<Option<AppError>>, legend: &'static str) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>{legend}</legend>
            <div class="field">
                <label for="sev1_contact_name">"Name"</label>
                <input id="sev1_contact_name" name="sev1_contact_name" type="text" aria-describedby=described_by(error, "sev1_contact_name")/>
                <FieldError error field="sev1_contact_name"/>
            </div>
            <div class="field">
                <label for="sev1_contact_phone">"Phone"</label>
                <input id="sev1_contact_phone" name="sev1_contact_phone" type="tel" aria-describedby=described_by(error, "sev1_contact_phone")/>
                <FieldError error field="sev1_contact_phone"/>
            </div>
        </fieldset>
    }
}
