//! The connection loop: how long a client may take, and how many may be connected at once.
//!
//! `axum::serve` sets no timer on hyper, so hyper's header-read timeout never runs, and it caps
//! nothing: 200 half-sent requests were all still open after 58 s. This loop is hyper's own
//! HTTP/1 connection with its timer and `header_read_timeout` (which on a kept-alive connection
//! also bounds the wait for the next request), a semaphore for the connection cap, and
//! hyper's graceful shutdown; the request and body timeouts are tower-http layers in the router.
//!
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which the proxy in front terminates, and
//! hyper has no header-read timeout for HTTP/2 (a stalled h2c preface would escape every one).
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::Service;

/// How long a client may take, and how many may be connected at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// A request's whole head must arrive within this long after the connection opens or the
    /// previous response ends: the slow-header and the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// Longest pause while a request body arrives.
    pub body_timeout: Duration,
    /// Longest time from a request's head to its response's head (uploads excepted).
    pub request_timeout: Duration,
    /// The same for attachment uploads, which may be large on a slow line.
    pub upload_timeout: Duration,
    /// Open connections at most; further ones wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
            // Below the usual 1024 open files, with room for database connections and files.
            max_connections: 512,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, lets the
/// requests in flight finish and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &HttpLimits,
    shutdown: impl Future<Output = ()>,
) {
    let cap = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(cap));
    let (stop, stopped) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        // At the cap, accept waits and new clients queue in the backlog; the timeouts make
        // sure a slot frees up.
        let accepted = tokio::select! {
            accepted = accept(&listener, &slots) => accepted,
            () = &mut shutdown => break,
        };
        let (tcp, peer, slot) = accepted;
        tokio::spawn(connection(
            &http,
            tcp,
            peer,
            app.clone(),
            slot,
            stopped.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: all slots back means all requests finished.
    let _ = slots.acquire_many(cap as u32).await;
}

/// The next connection, once a slot is free.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    loop {
        let slot = match slots.clone().acquire_owned().await {
            Ok(slot) => slot,
            // The semaphore is never closed; were it, wait for shutdown instead of spinning.
            Err(_) => return std::future::pending().await,
        };
        match listener.accept().await {
            Ok((tcp, peer)) => {
                // Without it every response written in pieces waits for the client's delayed ACK.
                let _ = tcp.set_nodelay(true);
                return (tcp, peer, slot);
            }
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// One client connection, served until it ends or the server stops.
fn connection(
    http: &hyper::server::conn::http1::Builder,
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    slot: OwnedSemaphorePermit,
    mut stopped: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    // Handlers read the client's address as `axum::serve`'s connect info gave it to them.
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().call(req)
    });
    let conn = http.serve_connection(TokioIo::new(tcp), service);
    async move {
        let _slot = slot;
        tokio::pin!(conn);
        let ended = tokio::select! {
            ended = conn.as_mut() => ended,
            _ = stopped.changed() => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = ended {
            // Timeouts and clients that went away: routine, not the server's failure.
            tracing::debug!(%peer, error = %e, "connection ended");
        }
    }
}
