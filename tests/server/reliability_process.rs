//! Issue 13 against the real binary: slow headers are cut off and connections are capped (item 13);
//! a fuzz of the HTTP surface with generated malformed requests gives no 5xx and leaves the server
//! alive; an upload and a CLI `uav ingest` started together both end up in the store (item 5) and a
//! running server serves a flight another process ingested (item 6); a starting server removes
//! stale job and staging directories (item 3). Servers listen on 127.0.0.1:18401–18404 and 18406.

use super::server_common as common;
use super::uav_support;
use crate::common::{serve_command, wait_until, KillOnDrop};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use covermap::dataset::{Crop, Orchard};
use uav_support::{make_store, square, uniform_image};

const TOKEN: &str = "s3cret";

/// A `covermap serve` child, killed on drop.
struct Server {
    _child: KillOnDrop,
    port: u16,
}

fn serve(store: &Path, port: u16, extra: &[&str]) -> Server {
    let child = serve_command(store, port).args(extra).env("COVERMAP_TOKEN", TOKEN).spawn().unwrap();
    let s = Server { _child: KillOnDrop(child), port };
    wait_until(Duration::from_secs(60), Duration::from_millis(100), || {
        raw(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok_or_else(|| format!("server on {port} did not come up"))
    });
    s
}

/// Send raw bytes, read the whole answer (None: no connection or no answer within 10 s).
fn raw(port: u16, req: &[u8]) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(req).ok()?;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned())
}

fn status_of(answer: &str) -> u16 {
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn get(port: u16, path: &str) -> String {
    raw(port, format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes()).unwrap_or_default()
}

/// Item 13: half-sent headers are disconnected after the header timeout; with the connection cap
/// reached a new client waits, and is served once the slow ones are cut off. Also `--upload-max-mb`.
#[test]
fn slow_headers_are_cut_off_and_connections_capped() {
    let store = common::fixture_store();
    let srv = serve(&store, 18401, &["--header-timeout-secs", "1", "--max-connections", "4", "--upload-max-mb", "1"]);
    let t0 = Instant::now();
    let mut slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // The cap is reached: a fifth client is not served until a slow one is cut off.
    let fifth = std::thread::spawn(move || {
        let t = Instant::now();
        (get(18401, "/health"), t.elapsed())
    });
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 256];
        // The server closes the connection (0 bytes, or a 408 then close) within the timeout.
        let n = s.read(&mut buf).unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    assert!(t0.elapsed() < Duration::from_secs(5), "slow connections were held {:?}", t0.elapsed());
    let (answer, waited) = fifth.join().unwrap();
    assert_eq!(status_of(&answer), 200, "{answer}");
    assert!(waited > Duration::from_millis(300), "the fifth connection was served beyond the cap ({waited:?})");

    // --upload-max-mb 1: a declared 5 MB body is refused before it is sent.
    let r = raw(srv.port, format!("POST /api/uav/flights?date=2026-06-04 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: image/tiff\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    assert_eq!(status_of(&r), 413, "{r}");
}

/// SplitMix64: reproducible generated requests.
struct Rng(covermap::dataset::demo::rng::Rng);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
    fn num(&mut self) -> String {
        match self.next() % 6 {
            0 => "-1".into(),
            1 => "99999999999999999999".into(),
            2 => "1e3".into(),
            3 => "%00".into(),
            4 => (self.next() % 30).to_string(),
            _ => (self.next() % 100_000).to_string(),
        }
    }
}

/// The families of malformed requests the probe of issue 13 tried; each generated request counts
/// towards every family it belongs to, and the fuzz checks that every family was sent.
const FAMILIES: [&str; 10] = ["tile path", "traversal", "bbox/limit", "huge header", "method", "token", "body", "host", "oversize upload", "half-sent header"];

/// One generated malformed request (tile paths, traversal, bbox/limit, headers, methods, tokens,
/// bodies, hosts, declared oversize uploads) and the families it belongs to.
fn malformed(rng: &mut Rng) -> (Vec<u8>, Vec<&'static str>) {
    let mut fam = Vec::new();
    if rng.next() % 10 == 0 {
        // A declared upload far over `--upload-max-mb` (item 2), with no body sent: 413 at once.
        let auth = rng.pick(&["Bearer", "BEARER", "bearer"]);
        let len = rng.pick(&["5000000", "9000000000", "4398046511104"]);
        let req = format!("POST /api/uav/flights?date=2026-06-04&camera=p4m HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth} {TOKEN}\r\nContent-Type: image/tiff\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n");
        return (req.into_bytes(), vec!["oversize upload", "token"]);
    }
    let junk = ["..%2f..%2fetc%2fpasswd", "../../etc/passwd", "%ff%fe", "a,b,,c", "communes,", "%2e%2e", "\u{1F600}", "' OR 1=1 --", "x".repeat(3000).leak()];
    let layer = rng.pick(&["communes", "hamlets", "dem", "rsrp_any", "nope", "communes,hamlets", "", "uav/x/ndvi"]);
    let j = rng.pick(&junk);
    let which = rng.next() % 12;
    fam.push(match which {
        0..=2 | 6 | 11 => "tile path",
        3 | 4 => "bbox/limit",
        _ => "other path",
    });
    let path = match which {
        0 => format!("/tiles/{layer}/{}/{}/{}.mvt", rng.num(), rng.num(), rng.num()),
        1 => format!("/tiles/{layer}/{}/{}/{}.png", rng.num(), rng.num(), rng.num()),
        2 => format!("/tiles/{j}/{}/{}/{}.{}", rng.num(), rng.num(), rng.num(), rng.pick(&["pbf", "jpg", "", "mvt.gz"])),
        3 => format!("/collections/{layer}/items?bbox={},{},{},{}&limit={}", rng.num(), rng.num(), rng.num(), rng.num(), rng.num()),
        4 => format!("/collections/{layer}/items?limit={}&offset={}&{j}={j}", rng.num(), rng.num()),
        5 => format!("/collections/{layer}/items/{}", rng.num()),
        6 => format!("/tiles/{layer}.json?{j}"),
        7 => format!("/api/indicators?level={}&format={}", rng.pick(&["province", "x", "", "commune"]), rng.pick(&["csv", "xml", ""])),
        8 => format!("/api/jobs/{}", rng.num()),
        9 => format!("/api/uav/parcels/{}", rng.num()),
        10 => format!("/{j}"),
        _ => format!("/tiles/{layer}/legend.json/{j}"),
    };
    if path.contains("..") || path.contains("%2e") {
        fam.push("traversal");
    }
    let method = rng.pick(&["GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "G\u{0}T", "BREW"]);
    if !matches!(method, "GET" | "HEAD") {
        fam.push("method");
    }
    let host = rng.pick(&["127.0.0.1", "evil.example", "", "a b", "[::1]:1"]);
    if host != "127.0.0.1" {
        fam.push("host");
    }
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    if path.len() > 2000 {
        fam.push("huge header");
    }
    match rng.next() % 6 {
        0 => {
            fam.push("token");
            head.push_str(&format!("Authorization: {} {}\r\n", rng.pick(&["Bearer", "BEARER", "Basic", "", "Bearer Bearer"]), rng.pick(&[TOKEN, "x", "", "s3cret\u{7f}"])))
        }
        1 => {
            fam.push("huge header");
            head.push_str(&format!("X-Big: {}\r\n", "a".repeat(20_000 + (rng.next() % 80_000) as usize)))
        }
        2 => head.push_str(&format!("Accept-Encoding: {}\r\nIf-None-Match: {}\r\n", rng.pick(&["br;q=x", "*", "gzip;q=-1", ""]), rng.pick(&["*", "\"", "W/"]))),
        3 => head.push_str("Range: bytes=99999999-\r\n"),
        _ => {}
    }
    let body: Vec<u8> = match rng.next() % 4 {
        0 => (0..(rng.next() % 4096)).map(|_| rng.next() as u8).collect(),
        1 => b"II*\0garbage that is not a tiff".to_vec(),
        _ => Vec::new(),
    };
    if !body.is_empty() {
        fam.push("body");
    }
    if method == "POST" && rng.next() % 2 == 0 {
        fam.push("token");
        head.push_str(&format!("Authorization: Bearer {TOKEN}\r\nContent-Type: {}\r\n", rng.pick(&["image/tiff", "multipart/form-data; boundary=x", "multipart/form-data"])));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    let mut req = head.into_bytes();
    req.extend(body);
    (req, fam)
}

/// The fuzz: 400 generated malformed requests (tile paths, traversal, bbox/limit, huge headers,
/// methods, tokens, bodies, hosts, declared oversize uploads) and a few half-sent ones: no 5xx,
/// every family sent and answered, an oversize upload always 413, and the server answers after.
#[test]
fn fuzzed_requests_never_get_a_5xx() {
    let store = common::fixture_store();
    let srv = serve(&store, 18402, &["--header-timeout-secs", "1", "--upload-max-mb", "1"]);
    let mut answered: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut rng = Rng(covermap::dataset::demo::rng::Rng::from_state(13));
    let mut statuses = std::collections::BTreeMap::new();
    let half: Vec<TcpStream> = (0..20)
        .filter_map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", srv.port)).ok()?;
            s.write_all(b"GET /tiles/communes/1/1/1.mvt HTTP/1.1\r\nHo").ok()?;
            Some(s)
        })
        .collect();
    if !half.is_empty() {
        answered.insert("half-sent header", half.len());
    }
    for i in 0..400 {
        let (req, fam) = malformed(&mut rng);
        let Some(answer) = raw(srv.port, &req) else { continue }; // closed without an answer: fine
        let st = status_of(&answer);
        *statuses.entry(st).or_insert(0) += 1;
        for f in &fam {
            *answered.entry(f).or_insert(0) += 1;
        }
        if fam.contains(&"oversize upload") {
            assert_eq!(st, 413, "request {i}, a declared oversize upload:\n{}\n---\n{}", String::from_utf8_lossy(&req), &answer[..answer.len().min(600)]);
        }
        assert!(st < 500, "request {i} got {st}:\n{}\n---\n{}", String::from_utf8_lossy(&req[..req.len().min(600)]), &answer[..answer.len().min(600)]);
    }
    drop(half);
    eprintln!("statuses: {statuses:?}; answered by family: {answered:?}");
    for f in FAMILIES {
        assert!(answered.get(f).copied().unwrap_or(0) >= 3, "the fuzz answered too few requests of the family `{f}`: {answered:?}");
    }
    assert!(statuses.keys().filter(|s| **s >= 400).count() >= 3, "the generator should reach several error kinds: {statuses:?}");
    let h = get(srv.port, "/health");
    assert_eq!(status_of(&h), 200, "the server is not alive after the fuzz: {h}");
}

/// A store with one orchard under the test images, and `n` flight images of `px` × `px` over it.
fn uav_store(dir: &Path, n: usize, px: usize) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let (x0, y0) = (500_000.0, 2_350_000.0);
    let store = dir.join("out/t");
    make_store(&store, &[Orchard { id: 1, crop: Crop::Mango, commune_code: "04125".into(), geom: square(x0 + 20.0, y0 - 80.0, 50.0) }]);
    let images = (0..n).map(|k| uniform_image(&dir.join(format!("f{k}.tif")), x0, y0, px, px, 5)).collect();
    (store, images)
}

fn flight_ids(store: &Path) -> Vec<String> {
    let s = covermap::store::Store::open(store).unwrap();
    let l = s.layer("uav_flights").expect("a uav_flights layer");
    let k = l.field_index("flight_id").unwrap();
    let mut v: Vec<String> = l.features.iter().map(|f| f.values[k].as_str().unwrap_or_default().to_string()).collect();
    v.sort();
    v
}

/// Item 5: an upload and a CLI ingest started together (two processes writing one store): both
/// flights are in the store afterwards, and the job's reported flight is one of them.
#[test]
fn an_upload_and_a_cli_ingest_together_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = uav_store(tmp.path(), 2, 1600);
    let srv = serve(&store, 18403, &[]);
    let body = std::fs::read(&images[0]).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_covermap"))
        .args(["uav", "ingest", "--date", "2026-06-05", "--camera", "p4m", "--store"])
        .arg(&store)
        .arg("--image")
        .arg(&images[1])
        .env("COVERMAP_QUIET", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = format!("POST /api/uav/flights?date=2026-06-04&camera=p4m HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: image/tiff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    head.extend(&body);
    let answer = raw(srv.port, &head).unwrap();
    assert_eq!(status_of(&answer), 202, "{answer}");
    let out = cli.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut job = String::new();
    for _ in 0..600 {
        job = get(srv.port, "/api/jobs/1");
        if job.contains("\"state\":\"done\"") || job.contains("\"state\":\"failed\"") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(job.contains("\"state\":\"done\"") && job.contains("\"flight_id\":\"2026-06-04\""), "{job}");
    assert_eq!(flight_ids(&store), vec!["2026-06-04", "2026-06-05"], "a writer's flight was lost");
    // What the server serves is that store, whole: both flights, no problems.
    wait_until(Duration::from_secs(15), Duration::from_millis(200), || {
        let f = get(srv.port, "/api/uav/flights");
        if f.contains("2026-06-04") && f.contains("2026-06-05") { Ok(()) } else { Err(format!("the server does not serve both flights: {f}")) }
    });
    assert!(get(srv.port, "/health").contains("\"problems\":[]"));
}

/// Item 6: a flight ingested by another process while the server runs is served without a restart.
#[test]
fn the_server_reloads_a_store_swapped_by_another_process() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, images) = uav_store(tmp.path(), 1, 400);
    let srv = serve(&store, 18404, &[]);
    assert_eq!(status_of(&get(srv.port, "/tiles/uav_2026-06-05_ndvi.json")), 404);
    let out = Command::new(env!("CARGO_BIN_EXE_covermap"))
        .args(["uav", "ingest", "--date", "2026-06-05", "--camera", "p4m", "--store"])
        .arg(&store)
        .arg("--image")
        .arg(&images[0])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_until(Duration::from_secs(10), Duration::from_millis(200), || {
        let tj = get(srv.port, "/tiles/uav_2026-06-05_ndvi.json");
        if status_of(&tj) == 200 { Ok(()) } else { Err(format!("the server still answers {} after 10 s: {tj}", status_of(&tj))) }
    });
    assert!(get(srv.port, "/api/uav/flights").contains("2026-06-05"));
}


/// Item 3: a starting server removes what killed uploads and writers left — a job directory of no
/// recorded flight under `<store>.uploads`, and the staging directory of a dead writer — and keeps a
/// live writer's staging directory.
#[test]
fn a_starting_server_removes_stale_job_and_staging_dirs() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = uav_store(tmp.path(), 0, 0);
    let job = std::path::PathBuf::from(format!("{}.uploads/job-9-1700000000", store.display()));
    std::fs::create_dir_all(&job).unwrap();
    std::fs::write(job.join("image-1.tif"), b"left by a killed server").unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let dead = store.with_file_name(format!(".t.staging-{dead_pid}"));
    std::fs::create_dir_all(dead.join("layers")).unwrap();
    let live = store.with_file_name(format!(".t.staging-{}", std::process::id()));
    std::fs::create_dir_all(&live).unwrap();
    let _srv = serve(&store, 18406, &[]);
    assert!(!job.exists(), "the stale job directory is still there");
    assert!(!dead.exists(), "the dead writer's staging directory is still there");
    assert!(live.exists(), "a live writer's staging directory was removed");
}
