use anyhow::Context;
use clap::Parser;
use portal::router;
use portal::server::cli::{self, Cli, Command, ServeArgs};
use portal::server::state::{AppState, SessionConfig};
use portal::server::transport::{self, HttpLimits};
use portal::server::{db, demo, metrics};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    portal::server::logging::builder(&cli.log).init();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // Bad arguments are a usage error, like clap's own.
            if e.downcast_ref::<UsageError>().is_some() {
                std::process::ExitCode::from(2)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(&cli.database_url, cli.sla_programs.as_deref(), cli.serve).await,
        Some(Command::Serve(args)) => {
            serve(&cli.database_url, cli.sla_programs.as_deref(), args).await
        }
        Some(Command::Migrate) => {
            let pool = db::connect(&cli.database_url, 1).await?;
            db::migrate(&pool).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::Sla(cmd)) => sla(cli.sla_programs.as_deref(), &cmd),
        Some(Command::User(cmd)) => user(&cli.database_url, cmd).await,
        Some(Command::Backup { path }) => backup(&cli.database_url, &path).await,
        Some(Command::BenchSeed { cases, open, org }) => {
            let programs = cli::load_programs(cli.sla_programs.as_deref())?;
            bench_seed(&cli.database_url, &programs, &org, cases, open).await
        }
        Some(Command::BenchPlans) => {
            let pool = db::connect(&cli.database_url, 1).await?;
            let plans = portal::server::demo::bench::case_list_plans(&pool, &cli.database_url)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{plans}");
            Ok(())
        }
        Some(Command::SeedDemo) => {
            let pool = db::connect(&cli.database_url, 1).await?;
            db::migrate(&pool).await?;
            if demo::seed(&pool).await? {
                println!("demo data created");
            } else {
                println!("demo data already present");
            }
            Ok(())
        }
    }
}

/// `portal sla …`: a bad program folder or argument is a usage error.
fn sla(
    sla_programs: Option<&std::path::Path>,
    cmd: &portal::server::sla_cli::SlaCommand,
) -> anyhow::Result<()> {
    let programs = match cli::load_programs(sla_programs) {
        Ok(p) => p,
        Err(e) => return Err(UsageError(e.to_string()).into()),
    };
    match portal::server::sla_cli::run(&programs, cmd) {
        Ok(out) => {
            println!("{out}");
            Ok(())
        }
        Err(e) => Err(UsageError(e.to_string()).into()),
    }
}

/// `portal user add|list`: vendor staff accounts from the command line.
async fn user(database_url: &str, cmd: cli::UserCommand) -> anyhow::Result<()> {
    use portal::server::staff_accounts::{self, NewStaff};
    let pool = db::connect(database_url, 1).await?;
    db::migrate(&pool).await?;
    match cmd {
        cli::UserCommand::Add { email, name, role } => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']);
            let new = NewStaff {
                email: &email,
                name: &name,
                role,
                password,
            };
            match staff_accounts::add_staff(&pool, &new).await {
                Ok(_) => {
                    println!("{} account created for {}", role.label(), email.trim());
                    Ok(())
                }
                Err(portal::model::AppError::Invalid { field, message }) => {
                    Err(UsageError(format!("{field}: {message}")).into())
                }
                Err(e) => Err(e.into()),
            }
        }
        cli::UserCommand::ResetSecondFactor { email } => {
            let found =
                portal::server::account::second_factor::reset_by_staff(&pool, &email, None).await?;
            if !found {
                return Err(
                    UsageError(format!("no account has the address {}", email.trim())).into(),
                );
            }
            println!("second factor of {} removed (audited)", email.trim());
            Ok(())
        }
        cli::UserCommand::List => {
            for a in staff_accounts::list(&pool).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.email,
                    a.name,
                    a.role,
                    a.organization.as_deref().unwrap_or("(vendor)"),
                    if a.active.0 { "active" } else { "inactive" },
                    if a.has_password.0 {
                        "password set"
                    } else {
                        "no password yet"
                    },
                );
            }
            Ok(())
        }
    }
}

/// `portal backup PATH`: a consistent copy of the SQLite database.
async fn backup(database_url: &str, path: &std::path::Path) -> anyhow::Result<()> {
    // Refused before connecting: a PostgreSQL URL or an existing file is a usage error.
    if db::Backend::of_url(database_url)? != db::Backend::Sqlite {
        let e = portal::server::backup::BackupError::Postgres;
        return Err(UsageError(e.to_string()).into());
    }
    if path.exists() {
        let e = portal::server::backup::BackupError::Exists(path.display().to_string());
        return Err(UsageError(e.to_string()).into());
    }
    let pool = db::connect(database_url, 1).await?;
    match portal::server::backup::backup(&pool, database_url, path).await {
        Ok(bytes) => {
            println!("backup written to {} ({bytes} bytes)", path.display());
            Ok(())
        }
        Err(
            e @ (portal::server::backup::BackupError::Exists(_)
            | portal::server::backup::BackupError::Postgres),
        ) => Err(UsageError(e.to_string()).into()),
        Err(e) => Err(e.into()),
    }
}

/// `portal bench-seed`: a long case history for `make bench`.
async fn bench_seed(
    database_url: &str,
    programs: &portal::sla::ProgramSet,
    org: &str,
    cases: usize,
    open: usize,
) -> anyhow::Result<()> {
    let pool = db::connect(database_url, 1).await?;
    db::migrate(&pool).await?;
    demo::seed(&pool).await?;
    let started = std::time::Instant::now();
    let seeded = portal::server::demo::bench::seed_cases(&pool, programs, org, cases, open)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{org}: {} open and {} closed cases added in {:.1} s",
        seeded.open,
        seeded.closed,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(
    database_url: &str,
    sla_programs: Option<&std::path::Path>,
    args: ServeArgs,
) -> anyhow::Result<()> {
    // A wrong program file stops start-up with its name and field, before anything is served.
    let programs = cli::load_programs(sla_programs).context("loading support programs")?;
    let conf = leptos::config::get_configuration(None).context("reading Leptos configuration")?;
    let mut leptos_options = conf.leptos_options;
    if let Some(addr) = args.listen {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;

    let pool = db::connect_with_timeout(
        database_url,
        args.db_max_connections,
        Duration::from_secs(args.db_acquire_timeout_secs.max(1)),
    )
    .await
    .with_context(|| format!("opening database {}", db::redacted_url(database_url)))?;
    db::migrate(&pool).await.context("applying migrations")?;
    if args.demo && demo::seed(&pool).await? {
        tracing::info!("demo data created (see README for the logins)");
    }
    db::refresh_statistics(&pool)
        .await
        .context("refreshing the planner's statistics")?;

    let state = AppState {
        leptos_options,
        pool,
        sessions: SessionConfig {
            idle: Duration::from_secs(args.session_idle_minutes * 60),
            absolute: Duration::from_secs(args.session_max_hours * 3600),
            secure_cookie: args.behind_tls(),
            staff_second_factor: args.staff_second_factor(),
        },
        programs: std::sync::Arc::new(programs),
        attachments: portal::server::attachments::AttachmentConfig {
            dir: args.attachments_dir.clone(),
            max_file_bytes: args.max_file_mb * 1024 * 1024,
            max_case_bytes: args.max_case_files_mb * 1024 * 1024,
            max_org_bytes: args.max_org_files_mb * 1024 * 1024,
        },
        trusted_proxies: std::sync::Arc::new(args.trusted_proxies.clone().unwrap_or_default()),
        http: args.http_limits(),
        metrics_token: args.metrics_token(),
    };
    // Stale-case closure, resolution auto-close and RCA follow-ups; safe with several instances.
    portal::server::jobs::spawn_job_loop_every(
        state.clone(),
        Duration::from_secs(args.job_interval_secs.max(1)),
    );
    // Notification e-mails (outbox) and SLA deadline warnings; safe with several instances.
    let mailer = portal::server::mailer::Mailer::new(&portal::server::mailer::MailConfig {
        smtp_host: args.smtp_host.clone(),
        smtp_port: args.smtp_port,
        from: args.mail_from.clone(),
        base_url: args.base_url.clone(),
        ..Default::default()
    })
    .map_err(|e| UsageError(e.to_string()))?;
    if !mailer.is_smtp() {
        tracing::info!("no SMTP server configured (PORTAL_SMTP_HOST): e-mails go to the log");
    }
    portal::server::outbox::spawn_worker(state.pool.clone(), mailer, Default::default());
    let limits = state.http.clone();
    let app = router::build(state);
    listen(addr, app, args.metrics_addr, &limits).await
}

/// Serves the portal on `addr` (and `/metrics` on `metrics_addr`) until SIGTERM or Ctrl-C.
async fn listen(
    addr: std::net::SocketAddr,
    app: axum::Router,
    metrics_addr: Option<std::net::SocketAddr>,
    limits: &HttpLimits,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let metrics = match metrics_addr {
        Some(maddr) => {
            let l = tokio::net::TcpListener::bind(maddr)
                .await
                .with_context(|| format!("binding {maddr} for metrics"))?;
            tracing::info!("metrics on http://{maddr}/metrics");
            let (limits, rx) = (limits.clone(), stopped.clone());
            Some(tokio::spawn(async move {
                transport::serve(l, metrics::router(), &limits, until_stopped(rx)).await
            }))
        }
        None => None,
    };
    tracing::info!("listening on http://{addr}");
    let public = transport::serve(listener, app, limits, until_stopped(stopped));
    tokio::join!(public, async {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    if let Some(m) = metrics {
        m.await?;
    }
    Ok(())
}

/// SIGTERM (orchestrators) or Ctrl-C: stop accepting, finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
