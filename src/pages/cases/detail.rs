use super::awaiting::{automatic_closure, ResolutionForms, WaitingOnYou};
use crate::api::cases::{
    case_detail, AddComment, ConfirmResolution, RaiseSeverity, ReopenCase, SetAgreedUpdate,
    SetSeverity, SetStatus, SubmitSurvey, SupportUpdate,
};
use crate::components::auth::RequireUser;
use crate::components::clock_label::clock_label;
use crate::components::countdown::{Countdown, SeverityBadge};
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::components::phone::PhoneLink;
use crate::components::reach::ChannelLine;
use crate::model::attachment::{human_size, ACCEPTED_EXTENSIONS};
use crate::model::case::{CaseDetail, CaseEvent, CaseStatus};
use crate::model::replacement::CaseReplacements;
use crate::model::AppError;
use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The case page's forms: each posts to its server function, which redirects back here (with its
/// error in the URL when refused).
#[derive(Clone, Copy)]
struct CaseActions {
    comment: ServerAction<AddComment>,
    raise: ServerAction<RaiseSeverity>,
    confirm: ServerAction<ConfirmResolution>,
    reopen: ServerAction<ReopenCase>,
    survey: ServerAction<SubmitSurvey>,
    update: ServerAction<SupportUpdate>,
    status: ServerAction<SetStatus>,
    severity: ServerAction<SetSeverity>,
    agreed: ServerAction<SetAgreedUpdate>,
}

impl CaseActions {
    fn new() -> Self {
        CaseActions {
            comment: ServerAction::new(),
            raise: ServerAction::new(),
            confirm: ServerAction::new(),
            reopen: ServerAction::new(),
            survey: ServerAction::new(),
            update: ServerAction::new(),
            status: ServerAction::new(),
            severity: ServerAction::new(),
            agreed: ServerAction::new(),
        }
    }
}

#[component]
pub fn CaseDetailPage() -> impl IntoView {
    view! {
        <Title text="Case"/>
        <RequireUser children=|_| view! { <CaseView/> }/>
    }
}

#[component]
fn CaseView() -> impl IntoView {
    let params = use_params_map();
    let actions = CaseActions::new();
    let id = Signal::derive(move || params.with(|p| p.get("id").unwrap_or_default()));
    let case = Resource::new(move || id.get(), case_detail);
    let replacements = crate::components::replacements::case_panel_data(id);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the case…"</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(c) => view! { <CaseBody c actions replacements/> }.into_any(),
                    Err(e) => view! { <h1>"Case unavailable"</h1><ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CaseBody(
    c: CaseDetail,
    actions: CaseActions,
    replacements: Resource<Result<CaseReplacements, AppError>>,
) -> impl IntoView {
    let s = c.summary.clone();
    let zone: Tz = s.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let now = c.now;
    let case_id = s.id.clone();
    view! {
        <Title text=format!("{} {}", s.number_label, s.subject)/>
        <div class="page-header">
            <h1>{format!("{} · {}", s.number_label, s.subject)}</h1>
        </div>
        <p class="cluster">
            <SeverityBadge severity=s.severity/>
            <span class="status">{s.status.label()}</span>
            <span>{format!("{} · {}", s.site_name, s.array_name)}</span>
            <span class="muted">"Opened " <time datetime=s.opened_at.to_rfc3339()>{fmt_local(s.opened_at, zone)}</time></span>
        </p>
        {c.call_now.clone().map(|reach| view! {
            <section class="alert info" aria-labelledby="call-now-h">
                <h2 id="call-now-h">"Call support now"</h2>
                <p>{format!("Severity {} is taken by phone: this case is written down and its initial response is counting, but call so an engineer starts at once.", s.severity)}</p>
                <ul>{reach.phones.into_iter().map(|ch| view! { <li><ChannelLine channel=ch/></li> }).collect_view()}</ul>
            </section>
        })}
        <super::owner::CaseOwner c=c.clone()/>
        <super::escalation::CaseEscalationPanel c=c.clone()/>
        {c.rca_parent.clone().map(|p| view! {
            <p>"Root cause analysis for " <A href=format!("/cases/{}", p.id)>{p.number_label}</A></p>
        })}
        {c.rca_follow_up.clone().map(|p| view! {
            <p>"Root cause analysis follow-up: " <A href=format!("/cases/{}", p.id)>{p.number_label}</A></p>
        })}
        <Deadlines c=c.clone() now/>
        <section class="card stack" aria-labelledby="description-h">
            <h2 id="description-h">"Description"</h2>
            <p class="pre">{c.description.clone()}</p>
            {(!c.business_impact.is_empty()).then(|| view! {
                <h3>"Business impact"</h3><p class="pre">{c.business_impact.clone()}</p>
            })}
            {c.sev1_contact.clone().map(|k| view! {
                <p>"Contact available at all times: " {k.name} " · " <PhoneLink phone=k.phone/></p>
            })}
            {c.conversation_id.clone().map(|id| view! { <p>"Conversation ID: " <code>{id}</code></p> })}
        </section>
        <Attachments c=c.clone() zone/>
        <crate::components::replacements::CaseReplacementsPanel data=replacements case_id=case_id.clone()/>
        <CustomerActions c=c.clone() actions case_id=case_id.clone()/>
        {c.is_staff.then(|| view! { <SupportActions c=c.clone() actions case_id=case_id.clone()/> })}
        <section class="stack" aria-labelledby="timeline-h">
            <h2 id="timeline-h">"Timeline"</h2>
            <ol class="timeline">
                {c.timeline.iter().rev().cloned().map(|e| view! { <TimelineEvent e zone/> }).collect_view()}
            </ol>
        </section>
        {c.survey.clone().map(|sv| view! {
            <section class="card" aria-labelledby="survey-h">
                <h2 id="survey-h">"Your survey answer"</h2>
                <p>{format!("Rating: {} of 5", sv.rating)}</p>
                {(!sv.comment.is_empty()).then(|| view! { <p>{sv.comment}</p> })}
            </section>
        })}
    }
}

#[component]
fn Deadlines(c: CaseDetail, now: DateTime<Utc>) -> impl IntoView {
    let d = c.deadlines.clone();
    let tz = c.summary.site_tz.clone();
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let open = c.summary.status.is_open();
    let initial = match (d.initial_response_met_at, d.initial_response_due) {
        (Some(met), _) => view! { <span>"Met " <time datetime=met.to_rfc3339()>{fmt_local(met, zone)}</time></span> }.into_any(),
        (None, Some(due)) if open => view! { <Countdown due tz=tz.clone() rendered_at=now/> }.into_any(),
        _ => view! { <span class="muted">"No target"</span> }.into_any(),
    };
    let update = match (d.next_update_due, d.update_paused_since) {
        (Some(due), _) if open => view! { <Countdown due tz=tz.clone() rendered_at=now/> }.into_any(),
        (_, Some(since)) if open => view! {
            <span>"Paused while support waits for you, since " <time datetime=since.to_rfc3339()>{fmt_local(since, zone)}</time></span>
        }.into_any(),
        _ if c.update_as_agreed && open => view! { <span class="muted">"As agreed with support"</span> }.into_any(),
        _ if c.summary.status == CaseStatus::ResolutionProposed => view! {
            <span class="muted">"None: the proposed resolution awaits the customer's answer"</span>
        }.into_any(),
        _ => view! { <span class="muted">"No update clock"</span> }.into_any(),
    };
    let restoration = d.restoration_due.filter(|_| open);
    let closes = automatic_closure(&c);
    view! {
        <section class="card stack" aria-labelledby="deadlines-h">
            <h2 id="deadlines-h">"Deadlines"</h2>
            <dl class="kv deadlines">
                <dt>"Initial response due"</dt><dd class="deadline">{initial}</dd>
                <dt>"Next update due"</dt><dd class="deadline">{update}</dd>
                // 002: "Mean time to restore is 15 minutes": a mean over all cases, so the time
                // is shown as the program's aim and never counted down to "overdue".
                {restoration.map(|due| view! {
                    <dt>"Restoration aim"</dt>
                    <dd>
                        <time datetime=due.to_rfc3339()>{fmt_local(due, zone)}</time>
                        <span class="hint">" The program's mean time to restore, an average over all cases, not a deadline for this one."</span>
                    </dd>
                })}
                {closes.map(|due| view! {
                    <dt>"Closes automatically"</dt>
                    <dd class="deadline"><Countdown due tz=tz.clone() rendered_at=now/></dd>
                })}
            </dl>
            <details class="explanation">
                <summary>"How these deadlines are computed"</summary>
                <ol>
                    {d.explanation.into_iter().map(|s| view! {
                        <li><strong>{clock_label(s.clock)}": "</strong>{s.text}</li>
                    }).collect_view()}
                </ol>
                <h3>"What the support guide says"</h3>
                <ul>
                    {d.document_words.into_iter().map(|w| view! {
                        <li><strong>{clock_label(w.clock)}": "</strong>"“"{w.document_words}"” — "<span class="muted">{w.interpretation}</span></li>
                    }).collect_view()}
                </ul>
            </details>
        </section>
    }
}

#[component]
fn TimelineEvent(e: CaseEvent, zone: Tz) -> impl IntoView {
    let who = e
        .actor_name
        .clone()
        .unwrap_or_else(|| "Support Portal".to_string());
    let change = e
        .kind
        .change_text(e.old_value.as_deref(), e.new_value.as_deref());
    view! {
        <li class=if e.public { "event" } else { "event internal" }>
            <p>
                <strong>{e.kind.label()}</strong>
                {(!e.public).then(|| view! { " " <span class="badge internal-badge">"Support only · not shown to the customer"</span> })}
                " · " {who} " · "
                <time datetime=e.at.to_rfc3339()>{fmt_local(e.at, zone)}</time>
            </p>
            {change.map(|c| view! { <p>{c}</p> })}
            {(!e.body.is_empty()).then(|| view! { <p class="pre">{e.body.clone()}</p> })}
        </li>
    }
}

#[component]
fn CustomerActions(c: CaseDetail, actions: CaseActions, case_id: String) -> impl IntoView {
    // Every form's error is read here, shown or not: the page's status follows a refused form.
    let comment_err = use_action_error(actions.comment);
    let raise_err = use_action_error(actions.raise);
    let reopen_err = use_action_error(actions.reopen);
    let survey_err = use_action_error(actions.survey);
    let confirm_err = use_action_error(actions.confirm);
    let current = c.summary.severity;
    let id = case_id;
    let ask_contact = c.sev1_contact.is_none();
    let waiting = c.can_comment && c.summary.status == CaseStatus::WaitingOnCustomer;
    let (resolution, waiting_box) = (c.clone(), c.clone());
    let not_designated = c.not_designated.clone();
    view! {
        {not_designated.map(|m| view! {
            <section class="card stack" aria-labelledby="follow-h">
                <h2 id="follow-h">"You follow this case"</h2>
                <p>{m}</p>
            </section>
        })}
        {c.can_confirm.then(|| view! {
            <ResolutionForms c=resolution confirm=actions.confirm reopen=actions.reopen confirm_err reopen_err/>
        })}
        {waiting.then(|| view! { <WaitingOnYou c=waiting_box/> })}
        {c.can_comment.then(|| view! { <CommentForm case_id=id.clone() actions comment_err/> })}
        {(c.can_raise && current > 1).then(|| view! {
            <RaiseForm case_id=id.clone() actions raise_err current ask_contact/>
        })}
        {c.can_survey.then(|| view! { <SurveyForm case_id=id.clone() actions survey_err/> })}
    }
}

#[component]
fn CommentForm(
    case_id: String,
    actions: CaseActions,
    comment_err: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="comment-h">
            <h2 id="comment-h">"Add a comment"</h2>
            <ActionForm action=actions.comment attr:class="form">
                <input type="hidden" name="case_id" value=case_id/>
                <ErrorAlert error=comment_err/>
                <div class="field">
                    <label for="comment-body">"Comment"</label>
                    <textarea id="comment-body" name="body" rows="4" required></textarea>
                    <FieldError error=comment_err field="body"/>
                </div>
                <button type="submit" class="button primary">"Post comment"</button>
            </ActionForm>
        </section>
    }
}

/// `current` is the case's severity; `ask_contact`: the case has no Severity 1 contact yet.
#[component]
fn RaiseForm(
    case_id: String,
    actions: CaseActions,
    raise_err: Signal<Option<AppError>>,
    current: u8,
    ask_contact: bool,
) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="raise-h">
            <h2 id="raise-h">"Raise severity"</h2>
            <p class="muted">"A raise applies for the rest of the case. Only support can lower a severity."</p>
            <ActionForm action=actions.raise attr:class="form">
                <input type="hidden" name="case_id" value=case_id/>
                <ErrorAlert error=raise_err/>
                <div class="field">
                    <label for="raise-severity">"New severity"</label>
                    <select id="raise-severity" name="severity">
                        {(1..current).map(|n| view! { <option value=n.to_string()>{format!("Severity {n}")}</option> }).collect_view()}
                    </select>
                    <FieldError error=raise_err field="severity"/>
                </div>
                <div class="field">
                    <label for="raise-reason">"Reason"</label>
                    <textarea id="raise-reason" name="reason" rows="3" required></textarea>
                    <FieldError error=raise_err field="reason"/>
                </div>
                {ask_contact.then(|| view! {
                    <fieldset class="field">
                        <legend>"For Severity 1: a contact available at all times"</legend>
                        <div class="field">
                            <label for="raise-contact-name">"Contact name"</label>
                            <input id="raise-contact-name" name="sev1_contact_name" type="text"/>
                            <FieldError error=raise_err field="sev1_contact_name"/>
                        </div>
                        <div class="field">
                            <label for="raise-contact-phone">"Contact phone"</label>
                            <input id="raise-contact-phone" name="sev1_contact_phone" type="tel"/>
                            <FieldError error=raise_err field="sev1_contact_phone"/>
                        </div>
                    </fieldset>
                })}
                <button type="submit" class="button danger">"Raise severity"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SurveyForm(
    case_id: String,
    actions: CaseActions,
    survey_err: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="survey-form-h">
            <h2 id="survey-form-h">"How did we do?"</h2>
            <ActionForm action=actions.survey attr:class="form">
                <input type="hidden" name="case_id" value=case_id/>
                <ErrorAlert error=survey_err/>
                <fieldset class="field">
                    <legend>"Rating"</legend>
                    <div class="cluster">
                        {(1..=5).map(|n| view! {
                            <label><input type="radio" name="rating" value=n.to_string() required/>{format!(" {n}")}</label>
                        }).collect_view()}
                    </div>
                    <FieldError error=survey_err field="rating"/>
                </fieldset>
                <div class="field">
                    <label for="survey-comment">"Comment (optional)"</label>
                    <textarea id="survey-comment" name="comment" rows="3"></textarea>
                </div>
                <button type="submit" class="button primary">"Send survey"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SupportActions(c: CaseDetail, actions: CaseActions, case_id: String) -> impl IntoView {
    let update_err = use_action_error(actions.update);
    let status_err = use_action_error(actions.status);
    let severity_err = use_action_error(actions.severity);
    let agreed_err = use_action_error(actions.agreed);
    let id = case_id;
    let (update_id, agreed_id) = (id.clone(), id.clone());
    let statuses = c.allowed_statuses.clone();
    view! {
        <section class="card stack" aria-labelledby="support-h">
            <h2 id="support-h">"Support actions"</h2>
            <ActionForm action=actions.update attr:class="form">
                <input type="hidden" name="case_id" value=update_id/>
                <ErrorAlert error=update_err/>
                <div class="field">
                    <label for="update-body">"Update or note"</label>
                    <textarea id="update-body" name="body" rows="4" required></textarea>
                    <FieldError error=update_err field="body"/>
                </div>
                // No default: a note meant for colleagues must never reach the customer because
                // a box was left ticked. `required` makes the browser ask, also without JavaScript.
                <fieldset class="field visibility">
                    <legend>"Who sees it"</legend>
                    <label><input type="radio" name="public" value="on" required/>" Customer: public update (restarts the update clock)"</label>
                    <label><input type="radio" name="public" value="off" required/>" Support only: internal note"</label>
                </fieldset>
                <button type="submit" class="button primary">"Post update"</button>
            </ActionForm>
            {(!statuses.is_empty()).then(|| {
                let id = id.clone();
                view! {
                    <ActionForm action=actions.status attr:class="form">
                        <input type="hidden" name="case_id" value=id/>
                        <ErrorAlert error=status_err/>
                        <div class="field">
                            <label for="status-new">"Change status to"</label>
                            <select id="status-new" name="status">
                                {statuses.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="status-message">"Message to the customer"</label>
                            <p class="hint" id="status-message-hint">
                                "Required for Resolution proposed (say what the resolution is) and for Waiting on customer "
                                "(say what you need from them). The customer sees it on the case and in the timeline."
                            </p>
                            <textarea id="status-message" name="message" rows="3" aria-describedby="status-message-hint"></textarea>
                            <FieldError error=status_err field="message"/>
                        </div>
                        <button type="submit" class="button secondary">"Change status"</button>
                    </ActionForm>
                }
            })}
            <ActionForm action=actions.severity attr:class="form">
                <input type="hidden" name="case_id" value=id.clone()/>
                <ErrorAlert error=severity_err/>
                <div class="field">
                    <label for="set-severity">"Set severity"</label>
                    <select id="set-severity" name="severity">
                        {(1u8..=4).map(|n| view! {
                            <option value=n.to_string() selected=n == c.summary.severity>{format!("Severity {n}")}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="set-severity-reason">"Reason for the change"</label>
                    <input id="set-severity-reason" name="reason" type="text" required/>
                    <FieldError error=severity_err field="reason"/>
                </div>
                <button type="submit" class="button secondary">"Set severity"</button>
            </ActionForm>
            {c.update_as_agreed.then(|| view! {
                <ActionForm action=actions.agreed attr:class="form">
                    <input type="hidden" name="case_id" value=agreed_id/>
                    <ErrorAlert error=agreed_err/>
                    <div class="field">
                        <label for="agreed-due">"Next update agreed for (site local time)"</label>
                        <input id="agreed-due" name="due" type="datetime-local" required/>
                        <FieldError error=agreed_err field="due"/>
                    </div>
                    <button type="submit" class="button secondary">"Set agreed update"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// The case's files and, while it is open, a plain upload form (a full page post, so it works
/// without JavaScript). The server redirects back with `attached` or `upload_error`.
#[component]
fn Attachments(c: CaseDetail, zone: Tz) -> impl IntoView {
    let (upload_error, attached) =
        use_query_map().with_untracked(|q| (q.get("upload_error"), q.get("attached")));
    #[cfg(feature = "ssr")]
    if upload_error.is_some() {
        crate::response::set_status(422);
    }
    let accept = ACCEPTED_EXTENSIONS
        .split(", ")
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(",");
    let files = c.attachments.clone();
    view! {
        <section class="card stack" aria-labelledby="attachments-h">
            <h2 id="attachments-h">"Attachments"</h2>
            {upload_error.map(|m| view! { <div class="alert error" role="alert">{m}</div> })}
            {attached.map(|n| view! { <div class="alert success" role="status">{format!("Attached {n} file(s).")}</div> })}
            {if files.is_empty() {
                view! { <p class="muted">"No files attached yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="attachments">
                        {files.into_iter().map(|f| view! {
                            <li>
                                <a href=format!("/attachments/{}", f.id) rel="nofollow">{f.file_name.clone()}</a>
                                " · " {human_size(f.size_bytes)} " · " {f.uploaded_by.clone()} " · "
                                <time datetime=f.uploaded_at.to_rfc3339()>{fmt_local(f.uploaded_at, zone)}</time>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {c.can_attach.then(|| view! {
                <form method="post" action=format!("/cases/{}/attachments", c.summary.id)
                    enctype="multipart/form-data" class="form">
                    <div class="field">
                        <label for="files">"Files"</label>
                        <p class="hint" id="files-hint">
                            "Logs, screenshots or configuration files (" {ACCEPTED_EXTENSIONS}
                            "); size limits apply per file and per case."
                        </p>
                        <input id="files" name="files" type="file" multiple accept=accept aria-describedby="files-hint"/>
                    </div>
                    <button type="submit" class="button secondary">"Attach files"</button>
                </form>
            })}
        </section>
    }
}
