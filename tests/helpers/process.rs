//! The real `portal` binary as a child process, for the fault tests (crash, database outage,
//! shutdown, backup) and the soak, which treat the portal as a black box.
use super::client::get;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_portal");

/// A fresh, unique temporary folder (removed by its guard).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}",
            portal::server::ids::new_id().to_lowercase()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port nobody listens on (yet).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    l.local_addr().expect("addr").port()
}

/// A pseudo-random number from the clock and the process: enough to vary the kill moment.
pub fn random_below(n: u64) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let mut x = t ^ (u64::from(std::process::id()) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x % n.max(1)
}

/// One running `portal serve`; killed (SIGKILL) when dropped, if still running.
pub struct Portal {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Portal {
    /// Starts the server on `database_url` with the test settings and waits until `/readyz`
    /// answers 200 (migrations applied, demo data seeded).
    pub async fn start(database_url: &str, dir: &Path, extra_env: &[(&str, &str)]) -> Portal {
        let portal = Portal::spawn(database_url, dir, extra_env);
        portal.wait_ready(Duration::from_secs(60)).await;
        portal
    }

    /// Starts the server without waiting for it.
    pub fn spawn(database_url: &str, dir: &Path, extra_env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let site = dir.join("site");
        let attachments = dir.join("attachments");
        std::fs::create_dir_all(&site).expect("site dir");
        let log = dir.join(format!("portal-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("LEPTOS_OUTPUT_NAME", "portal")
            .env("PORTAL_ATTACHMENTS_DIR", &attachments)
            .env("PORTAL_LOG", "warn")
            .env("PORTAL_METRICS_TOKEN", super::client::METRICS_TOKEN)
            .env_remove("PORTAL_LISTEN")
            // The suites sign in with the demo logins; a test of a plain start overrides this.
            .env("PORTAL_DEMO", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start portal");
        Portal { child, port, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn wait_ready(&self, within: Duration) {
        let started = Instant::now();
        loop {
            if let Ok(r) = get(self.port, "/readyz", None).await {
                if r.status == 200 {
                    return;
                }
            }
            assert!(
                started.elapsed() < within,
                "portal on port {} not ready after {within:?}; log:\n{}",
                self.port,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, and reap the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends `signal` (e.g. "TERM") with the `kill` command.
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill command")
            .success();
        assert!(ok, "kill -{signal} {}", self.pid());
    }

    /// Waits for the process to exit on its own, at most `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if started.elapsed() > within {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
