//! The `portal` command line: every setting is a flag with an environment variable and a default.
use crate::sla::{ProgramSet, SlaError};
// A boolean variable takes every usual spelling (1/0, true/false, yes/no, on/off), not only
// clap's default `true`/`false`: `PORTAL_NO_DEMO=1` was refused.
use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;

/// The built-in programs, or those of `dir` over them; a bad file names the file and field.
pub fn load_programs(dir: Option<&std::path::Path>) -> Result<ProgramSet, SlaError> {
    match dir {
        Some(d) => ProgramSet::from_dir(d),
        None => ProgramSet::builtin(),
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "portal",
    version,
    about = "Support Portal server",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// sqlite://PATH (embedded, default) or postgres://USER@HOST:PORT/DB
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/portal.db",
        global = true
    )]
    pub database_url: String,

    /// Folder of support program files (*.json) that override or extend the built-in ones.
    #[arg(long, env = "PORTAL_SLA_PROGRAMS", global = true)]
    pub sla_programs: Option<std::path::PathBuf>,

    /// Log filter, e.g. `info`, `portal=debug,sqlx=warn`
    #[arg(
        long,
        env = "PORTAL_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,

    /// Running `portal` alone serves, with these options.
    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Insert the demo organizations, sites, arrays and logins (no-op when present).
    SeedDemo,
    /// Write a consistent copy of the SQLite database to PATH while the portal runs
    /// (PostgreSQL: use pg_dump, see the README).
    Backup {
        /// The new file; must not exist yet.
        path: std::path::PathBuf,
    },
    /// Add a long case history to a demo organization, for `make bench`.
    BenchSeed {
        /// Cases to add.
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// How many of the newest stay open (the rest are closed, like most of a real history).
        #[arg(long, default_value_t = 5_000)]
        open: usize,
        /// The organization's name.
        #[arg(long, default_value = "Acme Corp")]
        org: String,
    },
    /// Print the database's plans for the case list's queries (for `make bench`).
    BenchPlans,
    /// The SLA engine: programs, case deadlines, delivery times.
    #[command(subcommand)]
    Sla(crate::server::sla_cli::SlaCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000]
    #[arg(long, env = "PORTAL_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Do not seed demo data on first start.
    #[arg(long, env = "PORTAL_NO_DEMO", value_parser = BoolishValueParser::new())]
    pub no_demo: bool,

    /// Mark the session cookie `Secure` (set when served over HTTPS).
    #[arg(long, env = "PORTAL_SECURE_COOKIE", value_parser = BoolishValueParser::new())]
    pub secure_cookie: bool,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: u64,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "PORTAL_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u64,

    /// Folder for case attachments (shared storage when several instances run).
    #[arg(
        long,
        env = "PORTAL_ATTACHMENTS_DIR",
        default_value = "data/attachments"
    )]
    pub attachments_dir: std::path::PathBuf,

    /// Largest attachment, in MB.
    #[arg(long, env = "PORTAL_MAX_FILE_MB", default_value_t = 25)]
    pub max_file_mb: u64,

    /// Largest total of a case's attachments, in MB.
    #[arg(long, env = "PORTAL_MAX_CASE_FILES_MB", default_value_t = 100)]
    pub max_case_files_mb: u64,

    /// Largest total of all attachments of one organization's cases, in MB.
    #[arg(long, env = "PORTAL_MAX_ORG_FILES_MB", default_value_t = 10240)]
    pub max_org_files_mb: u64,

    /// Database connections per app instance.
    #[arg(long, env = "PORTAL_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Seconds a request waits for a database connection before it answers 503.
    #[arg(long, env = "PORTAL_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 10)]
    pub db_acquire_timeout_secs: u64,

    /// Seconds between runs of the background jobs (case rules, Remote Assist expiry).
    #[arg(long, env = "PORTAL_JOB_INTERVAL_SECS", default_value_t = 30)]
    pub job_interval_secs: u64,

    /// SMTP server (relay) for notification e-mails; unset: e-mails are written to the log.
    #[arg(long, env = "PORTAL_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port (plain SMTP, no TLS: a relay on the host or private network).
    #[arg(long, env = "PORTAL_SMTP_PORT", default_value_t = 25)]
    pub smtp_port: u16,

    /// From header of notification e-mails.
    #[arg(
        long,
        env = "PORTAL_MAIL_FROM",
        default_value = "Support Portal <support-portal@localhost>"
    )]
    pub mail_from: String,

    /// The portal's public address, for the links in e-mails.
    #[arg(long, env = "PORTAL_BASE_URL", default_value = "http://127.0.0.1:3000")]
    pub base_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every boolean setting that has an environment variable: (argument id, variable).
    const BOOLEAN_ENV: &[(&str, &str)] = &[
        ("no_demo", "PORTAL_NO_DEMO"),
        ("secure_cookie", "PORTAL_SECURE_COOKIE"),
    ];

    fn serve_flags() -> (bool, bool) {
        let cli = Cli::try_parse_from(["portal"]).expect("parses");
        (cli.serve.no_demo, cli.serve.secure_cookie)
    }

    // The only test in the crate that sets these variables: they are the process's, shared
    // by every test thread.
    #[test]
    fn boolean_variables_take_the_usual_spellings() {
        for (i, (_, var)) in BOOLEAN_ENV.iter().enumerate() {
            for (text, want) in [
                ("1", true),
                ("true", true),
                ("yes", true),
                ("on", true),
                ("TRUE", true),
                ("0", false),
                ("false", false),
                ("no", false),
                ("off", false),
            ] {
                std::env::set_var(var, text);
                let got = serve_flags();
                let got = if i == 0 { got.0 } else { got.1 };
                assert_eq!(got, want, "{var}={text}");
            }
            std::env::set_var(var, "maybe");
            assert!(
                Cli::try_parse_from(["portal"]).is_err(),
                "{var}=maybe is refused"
            );
            std::env::remove_var(var);
            let got = serve_flags();
            assert!(!(if i == 0 { got.0 } else { got.1 }), "{var} unset is off");
        }
        // The flag alone still means yes.
        let cli = Cli::try_parse_from(["portal", "--no-demo"]).expect("parses");
        assert!(cli.serve.no_demo);
        let cli = Cli::try_parse_from(["portal", "serve", "--secure-cookie"]).expect("parses");
        assert!(matches!(cli.command, Some(Command::Serve(a)) if a.secure_cookie));
    }

    #[test]
    fn every_boolean_with_a_variable_is_listed() {
        // A new boolean setting must get the same parser (and a row above).
        let cmd = Cli::command();
        for arg in cmd.get_arguments() {
            let is_flag = matches!(arg.get_action(), clap::ArgAction::SetTrue);
            if is_flag && arg.get_env().is_some() {
                assert!(
                    BOOLEAN_ENV
                        .iter()
                        .any(|(id, _)| *id == arg.get_id().as_str()),
                    "{} is a boolean with an environment variable",
                    arg.get_id()
                );
            }
        }
    }
}
