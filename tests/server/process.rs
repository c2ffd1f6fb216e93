//! The server as a process: `covermap serve` answers on its port, stops cleanly (exit 0) on SIGTERM;
//! and a request that outlives the timeout gets a JSON 503, not a hung connection.

use super::server_common as common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;
use crate::common::wait_until;
use covermap::server::{router, ServerConfig};

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let store = fixture_store();
    // A free port: bind to 0, read it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_covermap"))
        .args(["serve", "--store"])
        .arg(&store)
        .args(["--port", &port.to_string()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let health = wait_until(Duration::from_secs(60), Duration::from_millis(100), || http_get(port, "/health").ok_or_else(|| "server did not come up".to_string()));
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""));
    let c = http_get(port, "/collections/communes/items?limit=1").unwrap();
    assert!(c.contains("\"numberMatched\":4"), "{c}");
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = wait_until(Duration::from_secs(20), Duration::from_millis(50), || child.try_wait().unwrap().ok_or_else(|| "server did not stop on SIGTERM".to_string()));
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(err.contains("shutting down"), "{err}");
    assert!(http_get(port, "/health").is_none(), "nothing listens after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_time_out_with_json() {
    let store = fixture_store();
    let cfg = ServerConfig { request_timeout: Duration::from_millis(50), ..config_for(&store) };
    let state = state_for(&store, cfg);
    // The service's own timing middleware around a handler that is slow by construction (a render
    // raced against a 1 ns limit could win under tokio's millisecond timer, so it proved nothing).
    let slow = axum::Router::new()
        .route("/slow", axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), covermap::server::metrics::track));
    let t = Instant::now();
    let r = get(&slow, "/slow").await;
    assert_error(&r, 503, "longer than");
    assert!(t.elapsed() < Duration::from_secs(10), "the request was not cut off");
    // The service's router wraps its routes in the same middleware: a request through it is counted
    // beside the 503 (the metrics live in the shared state).
    let app = router(state);
    assert_eq!(get(&app, "/health").await.status.as_u16(), 200);
    let m = get(&app, "/metrics").await.text();
    assert!(m.contains("status=\"503\"") && m.contains("route=\"/health\",method=\"GET\",status=\"200\"} 1"), "{m}");
}
