//! The `portal` command line: every setting is a flag with an environment variable and a default.
use crate::sla::{ProgramSet, SlaError};
// A boolean variable takes every usual spelling (1/0, true/false, yes/no, on/off), not only
// clap's default `true`/`false`: `PORTAL_NO_DEMO=1` was once refused.
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
    // `--help` would print the variable's value, password and all.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
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
    /// Vendor staff accounts: `user add` makes the first account of a new installation.
    #[command(subcommand)]
    User(UserCommand),
    /// The SLA engine: programs, case deadlines, delivery times.
    #[command(subcommand)]
    Sla(crate::server::sla_cli::SlaCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a vendor staff account. The password is read from standard input (its first line),
    /// so it never appears in the shell's history or the process list:
    /// `printf '%s\n' "$PASSWORD" | portal user add --email … --name …`
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Only vendor staff are made here; customers' contacts are invited by their admins.
        #[arg(long, default_value = "support_engineer", value_parser = parse_staff_role)]
        role: crate::model::Role,
    },
    /// Every account: e-mail, name, role, organization, whether it is active and has a password.
    List,
    /// Removes a person's second factor (a lost phone, no recovery code left), audited: they sign
    /// in with the password alone and, where their account requires one, set up a new app at once.
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
}

fn parse_staff_role(text: &str) -> Result<crate::model::Role, String> {
    let role: crate::model::Role = text.parse().map_err(|_| format!("unknown role {text:?}"))?;
    if role.is_staff() {
        Ok(role)
    } else {
        Err(format!(
            "{text} is a customer role: customers' contacts are added by their organization's admin"
        ))
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000]
    #[arg(long, env = "PORTAL_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Seed the demo organizations and their logins on first start. Off unless asked: the demo's
    /// support engineer has a published password and sees every organization.
    #[arg(long, env = "PORTAL_DEMO", value_parser = BoolishValueParser::new())]
    pub demo: bool,

    /// Vendor staff must sign in with a second factor (an authenticator app) [default: yes;
    /// no with --demo, whose logins are published]
    #[arg(long, env = "PORTAL_STAFF_SECOND_FACTOR", value_parser = BoolishValueParser::new())]
    pub staff_second_factor: Option<bool>,

    /// Served over HTTPS: `Secure`, `__Host-` session cookie and HSTS (implied by an https
    /// base URL).
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

    /// Reverse proxies (comma-separated CIDRs or addresses) whose `X-Forwarded-For`/`Forwarded`
    /// headers name the client for the sign-in limits; from anyone else they are ignored.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<crate::server::client_addr::TrustedProxies>,

    /// The portal's public address, for the links in e-mails.
    #[arg(long, env = "PORTAL_BASE_URL", default_value = "http://127.0.0.1:3000")]
    pub base_url: String,

    /// Serve `/metrics` on this address (an internal interface) instead of the public one.
    #[arg(long, env = "PORTAL_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Bearer token that opens `/metrics` on the public address (unset: 404 there).
    #[arg(long, env = "PORTAL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Seconds a client has to send a request's head; also how long a kept-alive connection
    /// may sit idle.
    #[arg(long, env = "PORTAL_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Longest pause, in seconds, while a request body arrives.
    #[arg(long, env = "PORTAL_BODY_TIMEOUT_SECS", default_value_t = 15)]
    pub body_timeout_secs: u64,

    /// Seconds from a request's head to its answer (uploads excepted).
    #[arg(long, env = "PORTAL_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// The same for attachment uploads.
    #[arg(long, env = "PORTAL_UPLOAD_TIMEOUT_SECS", default_value_t = 600)]
    pub upload_timeout_secs: u64,

    /// Open connections at most; further clients wait until one closes.
    #[arg(long, env = "PORTAL_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
}

impl ServeArgs {
    /// Whether the portal is served over TLS: said outright, or by an https base URL (its
    /// public address). The plain-HTTP demo on localhost is neither.
    pub fn behind_tls(&self) -> bool {
        self.secure_cookie
            || self
                .base_url
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// The connection limits; a zero would refuse every client, so each is at least one.
    pub fn http_limits(&self) -> crate::server::transport::HttpLimits {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        crate::server::transport::HttpLimits {
            header_read_timeout: secs(self.header_timeout_secs),
            body_timeout: secs(self.body_timeout_secs),
            request_timeout: secs(self.request_timeout_secs),
            upload_timeout: secs(self.upload_timeout_secs),
            max_connections: self.max_connections.max(1),
        }
    }

    /// Whether vendor staff must have a second factor: yes unless said otherwise, or serving the
    /// demo (its engineer's password is in the README anyway).
    pub fn staff_second_factor(&self) -> bool {
        self.staff_second_factor.unwrap_or(!self.demo)
    }

    /// The metrics token, if one is set (an empty variable is none).
    pub fn metrics_token(&self) -> Option<String> {
        self.metrics_token.clone().filter(|t| !t.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every boolean setting that has an environment variable: (argument id, variable).
    const BOOLEAN_ENV: &[(&str, &str)] = &[
        ("demo", "PORTAL_DEMO"),
        ("secure_cookie", "PORTAL_SECURE_COOKIE"),
        ("staff_second_factor", "PORTAL_STAFF_SECOND_FACTOR"),
    ];

    /// The boolean test sets the process's variables while it runs; every other parse waits for
    /// it, or it would see `PORTAL_SECURE_COOKIE=maybe` and fail (seen once in a full run).
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        Cli::try_parse_from(args)
    }

    fn serve_flags() -> [bool; 3] {
        let cli = Cli::try_parse_from(["portal"]).expect("parses");
        [
            cli.serve.demo,
            cli.serve.secure_cookie,
            cli.serve.staff_second_factor(),
        ]
    }

    /// Each setting's value with its variable unset: the second factor is required by default.
    const UNSET: [bool; 3] = [false, false, true];

    // The only test in the crate that sets these variables: they are the process's, shared
    // by every test thread.
    #[test]
    fn boolean_variables_take_the_usual_spellings() {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
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
                assert_eq!(serve_flags()[i], want, "{var}={text}");
            }
            std::env::set_var(var, "maybe");
            assert!(
                Cli::try_parse_from(["portal"]).is_err(),
                "{var}=maybe is refused"
            );
            std::env::remove_var(var);
            assert_eq!(serve_flags()[i], UNSET[i], "{var} unset");
        }
        // The flag alone still means yes; the published demo logins need no second factor
        // unless asked.
        let cli = Cli::try_parse_from(["portal", "--demo"]).expect("parses");
        assert!(cli.serve.demo);
        assert!(!cli.serve.staff_second_factor());
        let cli = Cli::try_parse_from(["portal", "--demo", "--staff-second-factor", "yes"])
            .expect("parses");
        assert!(cli.serve.staff_second_factor());
        let cli = Cli::try_parse_from(["portal", "serve", "--secure-cookie"]).expect("parses");
        assert!(matches!(cli.command, Some(Command::Serve(a)) if a.secure_cookie));
    }

    #[test]
    fn trusted_proxies_take_cidrs_and_refuse_anything_else() {
        let cli = parse(["portal", "--trusted-proxies", "10.0.0.0/8, 192.0.2.1"]).expect("parses");
        let proxies = cli.serve.trusted_proxies.expect("set");
        assert!(proxies.contains("10.20.30.40".parse().unwrap()));
        assert!(proxies.contains("192.0.2.1".parse().unwrap()));
        assert!(!proxies.contains("192.0.2.2".parse().unwrap()));
        assert!(parse(["portal", "--trusted-proxies", "10.0.0.0/40"]).is_err());
        assert!(parse(["portal", "--trusted-proxies", "proxy.example"]).is_err());
    }

    #[test]
    fn an_https_base_url_means_tls() {
        let args = |extra: &[&str]| {
            let mut argv = vec!["portal", "serve"];
            argv.extend_from_slice(extra);
            match parse(argv).expect("parses").command {
                Some(Command::Serve(a)) => a,
                other => panic!("not serve: {other:?}"),
            }
        };
        assert!(
            !args(&[]).behind_tls(),
            "the localhost demo stays plain HTTP"
        );
        assert!(!args(&["--base-url", "http://portal.example"]).behind_tls());
        assert!(args(&["--base-url", "https://portal.example"]).behind_tls());
        assert!(args(&["--base-url", "HTTPS://portal.example"]).behind_tls());
        assert!(args(&["--secure-cookie"]).behind_tls());
    }

    #[test]
    fn timeouts_and_the_connection_cap_are_settings() {
        let cli = parse(["portal"]).expect("parses");
        assert_eq!(
            cli.serve.http_limits(),
            crate::server::transport::HttpLimits::default(),
            "the flags' defaults are the limits' defaults"
        );
        let cli = parse([
            "portal",
            "--header-timeout-secs",
            "3",
            "--body-timeout-secs",
            "0",
            "--max-connections",
            "7",
        ])
        .expect("parses");
        let limits = cli.serve.http_limits();
        assert_eq!(limits.header_read_timeout.as_secs(), 3);
        assert_eq!(
            limits.body_timeout.as_secs(),
            1,
            "zero would refuse everyone"
        );
        assert_eq!(limits.max_connections, 7);
    }

    #[test]
    fn help_never_shows_the_database_password_or_metrics_token() {
        // Read from the environment as `portal --help` would.
        std::env::set_var(
            "DATABASE_URL",
            "postgres://portal:hunter2-db@db.internal/portal",
        );
        std::env::set_var("PORTAL_METRICS_TOKEN", "hunter2-metrics");
        let help = Cli::command().render_long_help().to_string();
        let serve_help = Cli::command()
            .find_subcommand_mut("serve")
            .expect("serve")
            .render_long_help()
            .to_string();
        std::env::remove_var("DATABASE_URL");
        std::env::remove_var("PORTAL_METRICS_TOKEN");
        // The global flags are listed in the top level's help (clap adds them to a subcommand's
        // only when it builds the whole command).
        assert!(help.contains("DATABASE_URL"), "{help}");
        for text in [&help, &serve_help] {
            assert!(!text.contains("hunter2"), "{text}");
        }
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
