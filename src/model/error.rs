use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The one error type of every server function: each variant is something a user can act on,
/// and maps to one HTTP status (see `status_code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("The e-mail address or password is incorrect.")]
    BadCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// Forbidden, with the sentence that says why (e.g. the site where the contact is not
    /// designated: `server::site_access`).
    #[error("{0}")]
    NotAllowedHere(String),
    #[error("Your account requires two-step sign-in: set it up on your Account page first.")]
    SecondFactorRequired,
    #[error("{0} was not found.")]
    NotFound(String),
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please wait a few minutes and try again.")]
    RateLimited,
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// A fault of the server, with its detail for the log. It never leaves the server as it is:
    /// `into_public` logs the detail and turns it into an `Incident`.
    #[error("internal error: {0}")]
    Internal(String),
    /// What a user sees of an `Internal` error: the reference of the log line with the detail.
    #[error("Something went wrong on our side. If it keeps happening, quote reference {0}.")]
    Incident(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// HTTP status for this error; kept as a number so the browser build needs no `http` crate.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::NotAllowedHere(_) | AppError::SecondFactorRequired => {
                403
            }
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::RateLimited => 429,
            AppError::Unavailable => 503,
            AppError::Internal(_) | AppError::Incident(_) => 500,
        }
    }

    /// The error as it may leave the server: an `Internal` one is logged with a new reference
    /// id and becomes an `Incident` carrying only that id; any other is unchanged. Every path
    /// that turns an error into an answer calls it (server function responses and redirects
    /// through `ser`, the error views, the upload and alert routes).
    pub fn into_public(self) -> AppError {
        #[cfg(feature = "ssr")]
        if let AppError::Internal(detail) = &self {
            let reference = format!("{:08X}", rand::random::<u32>());
            tracing::error!(%reference, ?detail, "internal error");
            return AppError::Incident(reference);
        }
        self
    }

    /// The form field the error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The first `max` characters: a parser's message can quote the whole (possibly huge) input.
fn clip(message: &str, max: usize) -> String {
    match message.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_string(),
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed or missing arguments are the caller's fault, never a 500.
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => AppError::invalid("request", clip(&m, 300)),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unavailable,
            other => AppError::Internal(other.to_string()),
        }
    }

    /// What a server function answers with, as JSON or in a redirect's URL: never an internal
    /// error's detail.
    fn ser(&self) -> leptos::server_fn::Bytes {
        let public = self.clone().into_public();
        // A derived enum of strings always serializes; the fallback is a well-formed answer.
        let json = serde_json::to_vec(&public).unwrap_or_else(|_| b"\"Unavailable\"".to_vec());
        leptos::server_fn::Bytes::from(json)
    }
}

/// Database errors carried by `?`: logged here (never shown), and a pool or connection failure
/// is a 503 the user can retry, anything else a 500 that names no internals.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                AppError::Unavailable
            }
            _ => AppError::Internal("database".into()),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::AppError;
    use leptos::server_fn::error::FromServerFnError;
    use std::sync::{Arc, Mutex};

    /// The log lines written while `f` runs.
    fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("log buffer").extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let out = tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8_lossy(&lines.0.lock().expect("log buffer")).into_owned();
        (out, text)
    }

    #[test]
    fn an_internal_error_leaves_as_a_reference_logged_with_its_detail() {
        let detail = "stored holiday \"2025-13-40\"";
        let (public, log) = logged(|| AppError::Internal(detail.into()).into_public());
        let AppError::Incident(reference) = &public else {
            panic!("not an incident: {public:?}");
        };
        assert_eq!(reference.len(), 8);
        let text = public.to_string();
        assert!(
            text.starts_with("Something went wrong on our side."),
            "{text}"
        );
        assert!(
            text.contains(reference.as_str()) && !text.contains("holiday"),
            "{text}"
        );
        assert_eq!(public.status_code(), 500);
        let line = log.lines().find(|l| l.contains(reference.as_str()));
        assert!(line.is_some_and(|l| l.contains("2025-13-40")), "{log}");
        // Once public it stays as it is, and other errors are untouched.
        assert_eq!(public.clone().into_public(), public);
        let invalid = AppError::invalid("title", "Enter a title.");
        assert_eq!(invalid.clone().into_public(), invalid);
    }

    #[test]
    fn what_a_server_function_sends_has_no_internal_detail() {
        let (bytes, log) = logged(|| AppError::Internal("pool: secret detail".into()).ser());
        let sent = String::from_utf8_lossy(&bytes).into_owned();
        assert!(!sent.contains("secret detail"), "{sent}");
        let back = AppError::de(bytes);
        let AppError::Incident(reference) = back else {
            panic!("not an incident: {sent}");
        };
        assert!(
            log.contains(&reference) && log.contains("secret detail"),
            "{log}"
        );
        let conflict = AppError::Conflict("Already closed.".into());
        assert_eq!(AppError::de(conflict.ser()), conflict);
    }
}
