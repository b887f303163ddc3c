//! Typed values survive a refused form. Forms post as plain HTML forms and a refusal comes back
//! as a redirect to the page with the error in the URL, which loses what the user typed (a long
//! case description, say). With the client running, this island keeps the submitted values in
//! the tab's `sessionStorage` for that one round trip and puts them back when the page returns
//! with an error for the same form. Passwords, files and hidden fields are never kept; hidden
//! fields only tell which of several forms with the same action was sent (a row's id).
use leptos::prelude::*;

/// Placed once per page, after everything else, so every other island is live when it restores.
#[island]
pub fn FormMemory() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::start();
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Element, Event, EventInit, HtmlFormElement, Storage, UrlSearchParams};

    const KEY: &str = "portal.form-memory";

    /// A named form control that can be kept: not a button, password or file.
    struct Control {
        el: Element,
        name: String,
        value: String,
        /// `type`, lower case ("" for a select or textarea).
        kind: String,
    }

    impl Control {
        fn hidden(&self) -> bool {
            self.kind == "hidden"
        }
        fn checkable(&self) -> bool {
            matches!(self.kind.as_str(), "checkbox" | "radio")
        }
        fn checked(&self) -> bool {
            js_sys::Reflect::get(&self.el, &JsValue::from_str("checked"))
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        }
        /// Sent with the form: checkboxes and radios only when checked.
        fn sent(&self) -> bool {
            !self.checkable() || self.checked()
        }
    }

    pub fn start() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Ok(Some(storage)) = window.session_storage() else {
            return;
        };
        if let Ok(Some(saved)) = storage.get_item(KEY) {
            let _ = storage.remove_item(KEY);
            let search = window.location().search().unwrap_or_default();
            let refused = UrlSearchParams::new_with_str(&search)
                .ok()
                .and_then(|q| q.get("__err").and(q.get("__path")));
            if let Some(path) = refused {
                // After the other islands' first updates (they run as microtasks).
                gloo_timers::callback::Timeout::new(0, move || restore(&path, &saved)).forget();
            }
        }
        let on_submit = Closure::<dyn Fn(Event)>::new(move |ev: Event| remember(&storage, &ev));
        if let Some(document) = window.document() {
            let _ = document
                .add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        }
        on_submit.forget();
    }

    fn action_path(form: &HtmlFormElement) -> Option<String> {
        web_sys::Url::new(&form.action()).ok().map(|u| u.pathname())
    }

    fn controls(form: &HtmlFormElement) -> Vec<Control> {
        let all = form.elements();
        (0..all.length())
            .filter_map(|i| all.item(i))
            .filter_map(|el| {
                let name = el.get_attribute("name").filter(|n| !n.is_empty())?;
                let kind = el
                    .get_attribute("type")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let is_button = el.tag_name().eq_ignore_ascii_case("button");
                if is_button
                    || matches!(
                        kind.as_str(),
                        "password" | "file" | "submit" | "button" | "reset"
                    )
                {
                    return None;
                }
                let value = js_sys::Reflect::get(&el, &JsValue::from_str("value"))
                    .ok()?
                    .as_string()?;
                Some(Control {
                    el,
                    name,
                    value,
                    kind,
                })
            })
            .collect()
    }

    fn remember(storage: &Storage, ev: &Event) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        // A GET form keeps its values in the URL already.
        if !form.method().eq_ignore_ascii_case("post") {
            return;
        }
        let (Some(path), Ok(q)) = (action_path(&form), UrlSearchParams::new()) else {
            return;
        };
        for c in controls(&form).into_iter().filter(Control::sent) {
            let key = if c.hidden() { "h:" } else { "v:" };
            q.append(&format!("{key}{}", c.name), &c.value);
        }
        let _ = storage.set_item(KEY, &format!("{path}\n{}", String::from(q.to_string())));
    }

    fn restore(path: &str, saved: &str) {
        let Some((saved_path, query)) = saved.split_once('\n') else {
            return;
        };
        if saved_path != path {
            return;
        }
        let Ok(q) = UrlSearchParams::new_with_str(query) else {
            return;
        };
        let mut identity = Vec::new();
        let mut values = Vec::new();
        if let Ok(Some(entries)) = js_sys::try_iter(&q) {
            for entry in entries.flatten() {
                let pair = js_sys::Array::from(&entry);
                let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
                    continue;
                };
                match k.split_once(':') {
                    Some(("h", name)) => identity.push((name.to_string(), v)),
                    Some(("v", name)) => values.push((name.to_string(), v)),
                    _ => {}
                }
            }
        }
        let Some(form) = the_form(path, &identity) else {
            return;
        };
        for c in controls(&form).into_iter().filter(|c| !c.hidden()) {
            let sent: Vec<&str> = values
                .iter()
                .filter(|(n, _)| *n == c.name)
                .map(|(_, v)| v.as_str())
                .collect();
            if c.checkable() {
                let on = sent.contains(&c.value.as_str());
                if on != c.checked() {
                    let _ = js_sys::Reflect::set(&c.el, &JsValue::from_str("checked"), &on.into());
                    changed(&c.el);
                }
            } else if let Some(v) = sent.first().filter(|v| **v != c.value) {
                let _ =
                    js_sys::Reflect::set(&c.el, &JsValue::from_str("value"), &JsValue::from_str(v));
                changed(&c.el);
            }
        }
    }

    /// The form with this action whose hidden fields are the ones that were sent.
    fn the_form(path: &str, identity: &[(String, String)]) -> Option<HtmlFormElement> {
        let forms = web_sys::window()?.document()?.forms();
        (0..forms.length())
            .filter_map(|i| forms.item(i))
            .filter_map(|f| f.dyn_into::<HtmlFormElement>().ok())
            .find(|form| {
                action_path(form).as_deref() == Some(path) && {
                    let hidden: Vec<(String, String)> = controls(form)
                        .into_iter()
                        .filter(Control::hidden)
                        .map(|c| (c.name, c.value))
                        .collect();
                    hidden == identity
                }
            })
    }

    /// Islands listen for changes (the severity picker follows the restored array and level).
    fn changed(el: &Element) {
        let init = EventInit::new();
        init.set_bubbles(true);
        if let Ok(ev) = Event::new_with_event_init_dict("change", &init) {
            let _ = el.dispatch_event(&ev);
        }
    }
}
