//! The history of the organization's contacts, for those who manage them.
use crate::model::contact::HistoryEntry;
use crate::sla::explain::fmt_local;
use leptos::prelude::*;

#[component]
pub(super) fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <p class="hint">"Every change to your contacts, newest first (times in UTC)."</p>
            {if entries.is_empty() {
                view! { <p class="muted">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data responsive">
                        <caption class="visually-hidden">"Contact history"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Change"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {entries.into_iter().map(|e| view! {
                                <tr>
                                    <td data-label="When"><time datetime=e.at.to_rfc3339()>{fmt_local(e.at, chrono_tz::UTC)}</time></td>
                                    <td data-label="Who">{e.actor_name.clone().unwrap_or_else(|| "Support Portal".into())}</td>
                                    <td data-label="Change">
                                        <strong>{e.action.clone()}</strong>": "{e.summary.clone()}
                                        {(e.before.is_some() || e.after.is_some()).then(|| view! {
                                            <details class="explanation">
                                                <summary>"Before and after"</summary>
                                                <p><code>{format!("before: {}", e.before.clone().unwrap_or_else(|| "—".into()))}</code></p>
                                                <p><code>{format!("after: {}", e.after.clone().unwrap_or_else(|| "—".into()))}</code></p>
                                            </details>
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}
