//! The replacements panel of a case page; support creates replacements here.
use super::card::{CardActions, CardList};
use crate::api::replacements::{case_replacements, CreateReplacement};
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::replacement::{CaseReplacements, PartType, ReturnMethod, QUANTITY_MAX};
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The replacements of a case, for its panel. The case page makes this beside the case's own
/// resource, so the server reads both at once instead of one after the other.
pub fn case_panel_data(case_id: Signal<String>) -> Resource<Result<CaseReplacements, AppError>> {
    Resource::new(move || case_id.get(), case_replacements)
}

/// The replacements of a case; support creates them here.
#[component]
pub fn CaseReplacementsPanel(
    data: Resource<Result<CaseReplacements, AppError>>,
    case_id: String,
) -> impl IntoView {
    let id = StoredValue::new(case_id);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) if d.can_create || !d.replacements.is_empty() => {
                        view! { <CasePanelBody d case_id=id.get_value()/> }.into_any()
                    }
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CasePanelBody(d: CaseReplacements, case_id: String) -> impl IntoView {
    let actions = CardActions::new();
    let create = ServerAction::<CreateReplacement>::new();
    let now = d.now;
    let staff = d.can_create;
    view! {
        <section class="card stack" aria-labelledby="case-repl-h">
            <h2 id="case-repl-h">"Replacements"</h2>
            <ErrorAlert error=actions.error()/>
            {if d.replacements.is_empty() {
                view! { <p class="muted">"No hardware replacement on this case."</p> }.into_any()
            } else {
                view! { <CardList list=d.replacements now staff actions/> }.into_any()
            }}
            {d.can_create.then(|| view! { <CreateForm arrays=d.arrays create case_id/> })}
        </section>
    }
}

#[component]
fn CreateForm(
    arrays: Vec<crate::model::replacement::ArrayChoice>,
    create: ServerAction<CreateReplacement>,
    case_id: String,
) -> impl IntoView {
    let error = use_action_error(create);
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    view! {
        <ActionForm action=create attr:class="form" attr:aria-labelledby="repl-create-h">
            <h3 id="repl-create-h">"Create a replacement"</h3>
            <input type="hidden" name="case_id" value=case_id/>
            <ErrorAlert error/>
            <div class="field">
                <label for="repl-array">"Array"</label>
                <select id="repl-array" name="array_id" aria-describedby=described("array_id")>
                    {arrays.into_iter().map(|a| view! { <option value=a.id>{a.label}</option> }).collect_view()}
                </select>
                <FieldError error field="array_id"/>
            </div>
            <div class="field">
                <label for="repl-type">"Part type"</label>
                <select id="repl-type" name="part_type" aria-describedby=described("part_type")>
                    {PartType::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                </select>
                <FieldError error field="part_type"/>
            </div>
            <div class="field">
                <label for="repl-part-number">"Part number"</label>
                <input id="repl-part-number" name="part_number" type="text" required maxlength="100"
                    aria-describedby=described("part_number")/>
                <FieldError error field="part_number"/>
            </div>
            <div class="field">
                <label for="repl-quantity">"Quantity"</label>
                <input id="repl-quantity" name="quantity" type="number" min="1" max=QUANTITY_MAX.to_string()
                    value="1" required aria-describedby=described("quantity")/>
                <FieldError error field="quantity"/>
            </div>
            <div class="field">
                <label for="repl-description">"Notes (optional)"</label>
                <textarea id="repl-description" name="description" rows="2" maxlength="2000"></textarea>
                <FieldError error field="description"/>
            </div>
            <div class="field">
                <label><input type="checkbox" name="technician_required" value="on"/>" Field technician needed"</label>
            </div>
            <div class="field">
                <label for="repl-return">"Return of the defective part"</label>
                <select id="repl-return" name="return_method">
                    {ReturnMethod::ALL.iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label><input type="checkbox" name="drive_retention" value="on" aria-describedby=described("drive_retention")/>
                    " Customer keeps the replaced drives (drive-retention option, extra charge)"</label>
                <FieldError error field="drive_retention"/>
            </div>
            <div class="actions"><button type="submit" class="button primary">"Create replacement"</button></div>
        </ActionForm>
    }
}
