//! The server's log: tracing's fmt output, one event per line. A value that comes from a user
//! (a subject, an e-mail address, a name, a path, an error text that may quote input) is
//! recorded as `field = ?value` (Debug, which escapes CR and LF), never `%value` (Display,
//! which writes them raw and lets the value forge a log line of its own). Plain `&str` fields
//! (`tracing::info!(email, ...)`) are escaped by the fmt layer too.
use tracing_subscriber::fmt::format::{DefaultFields, Format};
use tracing_subscriber::fmt::SubscriberBuilder;
use tracing_subscriber::EnvFilter;

/// The subscriber `main` installs, with its filter (`PORTAL_LOG`); `info` when it is invalid.
pub fn builder(filter: &str) -> SubscriberBuilder<DefaultFields, Format, EnvFilter> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::mailer::{MailConfig, Mailer, OutgoingMail};
    use std::sync::{Arc, Mutex};

    /// Collects what the log writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    #[tokio::test]
    async fn a_line_break_in_user_text_cannot_forge_a_log_line() {
        let captured = Captured::default();
        let subscriber = builder("info")
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        // A case subject as a customer may type it, through the mailer's log transport.
        let mailer = Mailer::new(&MailConfig::default()).expect("log mailer");
        let mail = OutgoingMail {
            id: "m1".into(),
            to: "caller@acme.example".into(),
            subject: "Disk failed\nERROR portal: admin password reset\r\nINFO done".into(),
            text: "text".into(),
            html: "<p>html</p>".into(),
        };
        mailer.send(&mail).await.expect("logged");
        let out = String::from_utf8(captured.0.lock().expect("log buffer").clone()).expect("utf-8");
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.ends_with('\n') && !out.contains('\r'), "{out:?}");
        assert!(out.contains(r"Disk failed\nERROR portal"), "{out}");
    }
}
