//! How an e-mail leaves the portal: over SMTP with lettre, or, when no SMTP server is configured,
//! into the server log (so a demo or a developer machine shows what would have been sent).
//! Plain SMTP only: deployments point `PORTAL_SMTP_HOST` at a relay on the host or private
//! network (Postfix, the cloud's relay), which does TLS and authentication onwards.
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Mail settings from the command line.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `None`: no SMTP server; messages are written to the log and counted as delivered.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// The From header, e.g. `Support Portal <support@vendor.example>`.
    pub from: String,
    /// The portal's public address, for links in e-mails (no trailing slash needed).
    pub base_url: String,
    /// One SMTP conversation at most this long; kept well under the outbox lease.
    pub timeout: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_host: None,
            smtp_port: 25,
            from: "Support Portal <support-portal@localhost>".into(),
            base_url: "http://127.0.0.1:3000".into(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// One message, rendered.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// The outbox row's id: also the Message-ID, so a receiver can recognise a repeat.
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    pub base_url: String,
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> Result<Mailer, String> {
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| format!("mail from address {:?}: {e}", cfg.from))?;
        let transport = match &cfg.smtp_host {
            Some(host) if !host.trim().is_empty() => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.trim())
                    .port(cfg.smtp_port)
                    .timeout(Some(cfg.timeout))
                    .build(),
            ),
            _ => Transport::Log,
        };
        Ok(Mailer {
            transport,
            from,
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
        })
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self.transport, Transport::Smtp(_))
    }

    /// Hands the message to the SMTP server; `Ok` once it accepted it.
    pub async fn send(&self, m: &OutgoingMail) -> Result<(), String> {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| format!("recipient {:?}: {e}", m.to))?;
        let host = self.from.email.domain().to_string();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<{}@{host}>", m.id)))
            .multipart(MultiPart::alternative_plain_html(
                m.text.clone(),
                m.html.clone(),
            ))
            .map_err(|e| format!("building the message: {e}"))?;
        match &self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Transport::Log => {
                tracing::info!(to = ?m.to, subject = ?m.subject, "e-mail (no SMTP server configured)");
                Ok(())
            }
        }
    }
}
