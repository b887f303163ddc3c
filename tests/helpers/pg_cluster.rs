//! Throw-away PostgreSQL clusters, for a test that must stop and restart the server itself.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A throw-away PostgreSQL cluster of `.ci/pg-temp`; stopped and wiped when dropped.
pub struct PgCluster {
    pub dir: PathBuf,
    pub url: String,
}

fn pg_temp(args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pg-temp");
    Command::new(script)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .expect("run .ci/pg-temp")
}

impl PgCluster {
    pub fn start(dir: &Path) -> PgCluster {
        let d = dir.to_str().expect("utf-8 path");
        let out = pg_temp(&["start", d]);
        assert!(
            out.status.success(),
            "pg-temp start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        PgCluster {
            dir: dir.to_path_buf(),
            url,
        }
    }

    /// Stops the server (fast shutdown: open connections are cut), keeping its data and port.
    pub fn halt(&self) {
        let out = pg_temp(&["halt", self.dir.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "pg-temp halt: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the halted server again on the same port and data.
    pub fn resume(&self) {
        let out = pg_temp(&["resume", self.dir.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "pg-temp resume: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = pg_temp(&["stop", self.dir.to_str().unwrap_or_default()]);
    }
}
