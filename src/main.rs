use anyhow::Context;
use axum::serve::ListenerExt;
use clap::Parser;
use portal::router;
use portal::server::cli::{self, Cli, Command, ServeArgs};
use portal::server::state::{AppState, SessionConfig};
use portal::server::{db, demo};
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
    .with_context(|| format!("opening database {}", redact(database_url)))?;
    db::migrate(&pool).await.context("applying migrations")?;
    if !args.no_demo && demo::seed(&pool).await? {
        tracing::info!("demo data created (see README for the logins)");
    }

    let state = AppState {
        leptos_options,
        pool,
        sessions: SessionConfig {
            idle: Duration::from_secs(args.session_idle_minutes * 60),
            absolute: Duration::from_secs(args.session_max_hours * 3600),
            secure_cookie: args.secure_cookie,
        },
        programs: std::sync::Arc::new(programs),
        attachments: portal::server::attachments::AttachmentConfig {
            dir: args.attachments_dir.clone(),
            max_file_bytes: args.max_file_mb * 1024 * 1024,
            max_case_bytes: args.max_case_files_mb * 1024 * 1024,
            max_org_bytes: args.max_org_files_mb * 1024 * 1024,
        },
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
    let app = router::build(state);

    // TCP_NODELAY: without it every response written in pieces waits for the client's delayed ACK.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
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

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}
