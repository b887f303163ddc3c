//! Phone numbers as links a phone can dial (`tel:`), written as people type them.
use leptos::prelude::*;

/// The `tel:` address of a number as people type it: "+1 (617) 555-0100 ext. 12" →
/// "tel:+16175550100;ext=12" (RFC 3966: digits, a leading "+", an extension parameter).
/// `None` when it is not plainly a number to dial (fewer than three digits, or words such as a
/// vanity number), so the page shows it as text rather than a link that dials something else.
pub fn tel_href(phone: &str) -> Option<String> {
    let lower = phone.trim().to_lowercase();
    let (main, ext) = split_extension(&lower);
    let plus = main.trim_start().starts_with('+');
    if main
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-.()/".contains(c)))
    {
        return None;
    }
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    let ext: String = ext.chars().filter(char::is_ascii_digit).collect();
    let mut href = format!("tel:{}{digits}", if plus { "+" } else { "" });
    if !ext.is_empty() {
        href.push_str(";ext=");
        href.push_str(&ext);
    }
    Some(href)
}

/// The number and its extension ("ext. 12", "x12", "#12"), lower case.
fn split_extension(lower: &str) -> (&str, &str) {
    for marker in ["extension", "ext.", "ext", "x", "#"] {
        if let Some(at) = lower.find(marker) {
            return (&lower[..at], &lower[at + marker.len()..]);
        }
    }
    (lower, "")
}

/// The number as a `tel:` link (as text when it cannot be dialled; nothing when empty).
#[component]
pub fn PhoneLink(phone: String) -> impl IntoView {
    let shown = phone.trim().to_string();
    match tel_href(&shown) {
        Some(href) => view! { <a class="tel" href=href>{shown}</a> }.into_any(),
        None => view! { <span>{shown}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::tel_href;

    #[test]
    fn numbers_as_typed_become_dialable_addresses() {
        assert_eq!(
            tel_href("+1 (617) 555-0100").as_deref(),
            Some("tel:+16175550100")
        );
        assert_eq!(
            tel_href("+1 617 555 0100 ext. 12").as_deref(),
            Some("tel:+16175550100;ext=12")
        );
        assert_eq!(
            tel_href("030 1234.5678 x9").as_deref(),
            Some("tel:03012345678;ext=9")
        );
        assert_eq!(tel_href("").as_deref(), None);
        assert_eq!(tel_href("12").as_deref(), None);
        // A vanity number would dial something else than it says.
        assert_eq!(tel_href("1-800-FLASHME").as_deref(), None);
    }
}
