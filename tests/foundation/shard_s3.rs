//! Issue 16, object storage: a sharded build reading its dataset from, and writing its shards' results
//! and the merged store to, a local S3-compatible server (moto in server mode, installed from PyPI into
//! `.venv-s3` by `scripts/setup.sh test`) — the real S3 protocol over HTTP, not a mock in code. The
//! store read back from the server equals the one-machine store, and `covermap serve` serves it from
//! `s3://`. The test fails, never skips, when the server cannot start.

use super::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

const S3_PORT: u16 = 18601;
const SERVE_PORT: u16 = 18602;

fn moto_server() -> PathBuf {
    if let Ok(p) = std::env::var("COVERMAP_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-s3/bin/moto_server")
}

fn wait_port(port: u16, what: &str, child: &mut Child) {
    wait_until(Duration::from_secs(60), Duration::from_millis(200), || {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited ({status}) before listening on port {port}");
        }
        Err(format!("{what} did not listen on port {port} within 60 s"))
    });
}

/// One HTTP/1.0 request; returns (status, body).
fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
}

fn cmd(args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(bin());
    c.args(args);
    c
}

fn output(mut c: Command, what: &str) -> String {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{what} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn sharded_build_through_a_local_s3_server() {
    let server = moto_server();
    assert!(server.exists(), "{} is missing: run scripts/setup.sh test (it installs moto[server] from PyPI)", server.display());
    let mut moto = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &S3_PORT.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    wait_port(S3_PORT, "moto_server", &mut moto);
    let _moto = KillOnDrop(moto);
    // The S3 API's CreateBucket: PUT /bucket.
    assert_eq!(http(S3_PORT, "PUT", "/covermap-test").0, 200, "create bucket");
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{S3_PORT}")),
    ] {
        std::env::set_var(k, v);
    }

    // The dataset goes up; everything after reads and writes s3:// only (and a local plan file).
    let n = covermap::store::object::upload(base_dataset(), Path::new("s3://covermap-test/data"), "").unwrap();
    assert!(n > 10);
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.json");
    output(cmd(&["plan".as_ref(), "--data".as_ref(), "s3://covermap-test/data".as_ref(), "--shards".as_ref(), "2".as_ref(), "--out".as_ref(), plan.as_os_str()]), "plan");
    let shards: Vec<_> = (0..2)
        .map(|i| {
            let mut c = cmd(&["run-shard".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--out".as_ref(), "s3://covermap-test/parts".as_ref()]);
            c.env("JOB_COMPLETION_INDEX", i.to_string());
            c.spawn().unwrap()
        })
        .collect();
    for (i, mut c) in shards.into_iter().enumerate() {
        assert!(c.wait().unwrap().success(), "shard {i}");
    }
    output(
        cmd(&[
            "merge".as_ref(),
            "--plan".as_ref(),
            plan.as_os_str(),
            "--from".as_ref(),
            "s3://covermap-test/parts".as_ref(),
            "--out".as_ref(),
            "s3://covermap-test/store".as_ref(),
        ]),
        "merge",
    );

    // Read the store back from the server: the one-machine store's rasters, byte for byte.
    let back = tmp.path().join("back");
    covermap::store::object::download(Path::new("s3://covermap-test/store"), &back).unwrap();
    let one = demo_store();
    let tifs: Vec<String> = std::fs::read_dir(one).unwrap().flatten().map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.ends_with(".tif")).collect();
    assert!(tifs.len() >= 10 && tifs.iter().any(|t| t.starts_with("sinr_")) && tifs.iter().any(|t| t.starts_with("dl_mbps_")), "{tifs:?}");
    for t in &tifs {
        let (a, b) = (std::fs::read(one.join(t)).unwrap(), std::fs::read(back.join(t)).unwrap_or_default());
        assert!(a == b, "{t} differs from the one-machine store");
    }
    assert!(back.join("results.gpkg").exists() && back.join("manifest.json").exists());

    // The server serves the store straight from s3://.
    let mut serve = serve_command("s3://covermap-test/store", SERVE_PORT).spawn().unwrap();
    wait_port(SERVE_PORT, "covermap serve", &mut serve);
    let _serve = KillOnDrop(serve);
    let (status, body) = http(SERVE_PORT, "GET", "/health");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, body) = http(SERVE_PORT, "GET", "/collections/hamlet_coverage/items?limit=1");
    assert_eq!(status, 200, "{body}");

    // A wrong bucket is one clear error naming the location.
    let o = cmd(&["merge".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--from".as_ref(), "s3://no-such-bucket/parts".as_ref(), "--out".as_ref(), tmp.path().join("x").as_os_str()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.lines().last().unwrap_or("").contains("no-such-bucket"), "{err}");
}
