//! The web map's files, embedded into the binary at compile time by the Cargo build script
//! (`build.rs` at the crate root bundles `web/` with esbuild and lists the output), each with its
//! precompressed `.br`/`.gz` twins. When the build had no Node.js or no `web/node_modules`, the
//! list is empty and [`not_bundled`] says why; the service then answers `/` with 503 and that text.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// One embedded file, as sent.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    /// `br` or `gzip` when these are the compressed bytes.
    pub encoding: Option<&'static str>,
    /// Strong validator of these bytes (each coding has its own, as RFC 9110 §8.8.3 requires).
    pub etag: &'static str,
    /// Content-hashed name: may be cached forever.
    pub immutable: bool,
}

struct Entry {
    bytes: &'static [u8],
    etag: String,
}

static FILES: LazyLock<HashMap<&'static str, Entry>> = LazyLock::new(|| {
    generated::FILES
        .iter()
        .map(|(p, b)| {
            let h = Sha256::digest(b);
            (*p, Entry { bytes: b, etag: format!("\"{}\"", hex::encode(&h[..12])) })
        })
        .collect()
});

/// Why the viewer is not in this binary, or `None` when it is.
pub fn not_bundled() -> Option<&'static str> {
    (!generated::NOT_BUNDLED.is_empty() || !FILES.contains_key("index.html")).then_some(if generated::NOT_BUNDLED.is_empty() {
        "the web bundle has no index.html"
    } else {
        generated::NOT_BUNDLED
    })
}

/// Paths of the embedded files (without the compressed twins).
pub fn paths() -> Vec<&'static str> {
    let mut v: Vec<&str> = FILES.keys().copied().filter(|p| !p.ends_with(".br") && !p.ends_with(".gz")).collect();
    v.sort_unstable();
    v
}

/// The media type of a file, from its extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Which codings the client accepts, from `Accept-Encoding` (a coding with `q=0` is refused).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q == 0.0)
        });
        !refused && (name.eq_ignore_ascii_case(coding) || name == "*")
    })
}

/// The file at `path` in the best coding the client accepts (brotli, then gzip, then none).
pub fn get(path: &str, accept_encoding: &str) -> Option<Asset> {
    let plain = FILES.get(path)?;
    let content_type = content_type(path);
    // Content-hashed names (`app-3F2A9C1D.js`) never change meaning.
    let immutable = path.starts_with("assets/") && path.rsplit('/').next().is_some_and(|n| n.contains('-'));
    for (coding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
        if accepts(accept_encoding, coding) {
            if let Some(z) = FILES.get(format!("{path}{suffix}").as_str()) {
                return Some(Asset {
                    bytes: z.bytes,
                    content_type,
                    encoding: Some(coding),
                    etag: z.etag.as_str(),
                    immutable,
                });
            }
        }
    }
    Some(Asset { bytes: plain.bytes, content_type, encoding: None, etag: plain.etag.as_str(), immutable })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9110 §12.5.3: a coding listed with q=0 is not acceptable; `*` matches any.
    #[test]
    fn accept_encoding_is_read_like_rfc_9110() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn media_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/maplibre-gl-worker-AB12.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("assets/app-XY.css"), "text/css; charset=utf-8");
    }

    /// Either the bundle is complete (an index page that loads its script) or the reason is given.
    #[test]
    fn bundle_is_complete_or_explained() {
        match not_bundled() {
            Some(why) => assert!(!why.is_empty()),
            None => {
                let html = std::str::from_utf8(get("index.html", "").unwrap().bytes).unwrap();
                let script = html.split("type=\"module\" src=\"").nth(1).and_then(|s| s.split('"').next()).expect("index.html loads a script");
                assert!(get(script, "").is_some(), "index.html names {script}, which is not embedded");
                let br = get(script, "br").unwrap();
                assert_eq!(br.encoding, Some("br"));
                assert_ne!(br.etag, get(script, "").unwrap().etag);
            }
        }
    }
}
