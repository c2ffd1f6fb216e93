//! HTTP helpers shared by the resources: content-encoding negotiation (RFC 9110 §12.5.3, with
//! q-values), compression, entity tags and `If-None-Match`, the request's base URL, and query-string
//! parsing that reports bad parameters as JSON errors instead of axum's plain-text rejections.

use std::collections::BTreeMap;
use std::io::Write;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::error::{ApiError, ApiResult};

/// A content coding the server produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
    Zstd,
}

impl Encoding {
    pub fn token(&self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
            Encoding::Zstd => "zstd",
        }
    }
}

/// The best coding the client accepts. Without an `Accept-Encoding` header: identity, always.
/// Among codings of equal quality the preference is br, zstd, gzip (smallest first; tiles are
/// compressed once and cached).
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let Some(v) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let mut q: BTreeMap<&str, f32> = BTreeMap::new();
    for item in v.split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or("").trim();
        if token.is_empty() {
            continue;
        }
        let mut quality = 1.0f32;
        for p in parts {
            let p = p.trim();
            if let Some(val) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                quality = val.trim().parse().unwrap_or(0.0);
            }
        }
        q.insert(token, quality);
    }
    let star = q.get("*").copied();
    let quality = |t: &str| -> f32 {
        let lower = t.to_ascii_lowercase();
        q.iter().find(|(k, _)| k.eq_ignore_ascii_case(&lower)).map(|(_, v)| *v).or(star).unwrap_or(0.0)
    };
    let mut best = (Encoding::Identity, 0.0f32);
    for (enc, tokens) in [
        (Encoding::Brotli, &["br"][..]),
        (Encoding::Zstd, &["zstd"][..]),
        (Encoding::Gzip, &["gzip", "x-gzip"][..]),
    ] {
        let qv = tokens.iter().map(|t| quality(t)).fold(0.0f32, f32::max);
        if qv > best.1 {
            best = (enc, qv);
        }
    }
    best.0
}

/// Compress `data` with `enc` (levels chosen for speed: gzip 6, brotli 5, zstd 3).
pub fn compress(data: &[u8], enc: Encoding) -> std::io::Result<Vec<u8>> {
    match enc {
        Encoding::Identity => Ok(data.to_vec()),
        Encoding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 2), flate2::Compression::new(6));
            e.write_all(data)?;
            e.finish()
        }
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(data.len() / 2);
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(data)?;
                w.flush()?;
            }
            Ok(out)
        }
        Encoding::Zstd => zstd::bulk::compress(data, 3),
    }
}

/// A strong entity tag for `data` (xxHash3, 64 bits), distinct per content coding.
pub fn etag(data: &[u8], enc: Encoding) -> String {
    let h = twox_hash::XxHash3_64::oneshot(data);
    match enc {
        Encoding::Identity => format!("\"{h:016x}\""),
        other => format!("\"{h:016x}-{}\"", other.token()),
    }
}

/// Whether `If-None-Match` matches `tag` (weak comparison, as RFC 9110 §13.1.2 requires for it).
pub fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    let Some(v) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let want = strip(tag);
    v.split(',').any(|t| t.trim() == "*" || strip(t) == want)
}

/// A cacheable response: 304 when the client has it, else 200 with ETag and Cache-Control.
pub fn cached_response(
    headers: &HeaderMap,
    body: Bytes,
    content_type: &str,
    tag: &str,
    cache_control: &'static str,
    enc: Encoding,
    vary: bool,
) -> Response {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if vary {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if not_modified(headers, tag) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if enc != Encoding::Identity {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc.token()));
    }
    (StatusCode::OK, h, body).into_response()
}

/// A JSON response with a weak ETag (the compression layer may re-encode it) and revalidation.
pub fn json_response(headers: &HeaderMap, value: &serde_json::Value, content_type: &str) -> Response {
    let body = value.to_string();
    let tag = format!("W/{}", etag(body.as_bytes(), Encoding::Identity));
    cached_response(headers, Bytes::from(body), content_type, &tag, "no-cache", Encoding::Identity, false)
}

/// `scheme://host` for absolute links: the configured public URL (`serve --public-url`) when there is
/// one; else `http://` and the request's `Host` when it names this server
/// ([`super::ServerConfig::host_allowed`]), else the address the server listens on. A forged `Host`
/// is never copied into links or TileJSON.
pub fn base_url(headers: &HeaderMap, cfg: &super::ServerConfig) -> String {
    if let Some(u) = cfg.public_url.as_deref().map(|u| u.trim_end_matches('/')).filter(|u| !u.is_empty()) {
        return u.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c)))
        .filter(|h| cfg.host_allowed(h))
        .map(str::to_string)
        .unwrap_or_else(|| cfg.host());
    format!("http://{host}")
}

/// The query string as name → value (last one wins), percent-decoded.
pub fn query_map(raw: Option<&str>) -> BTreeMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect()
}

/// Reject parameters an endpoint does not know (OGC API – Features /req/core/query-param-unknown).
pub fn only_params(q: &BTreeMap<String, String>, known: &[&str]) -> ApiResult<()> {
    for k in q.keys() {
        if !known.contains(&k.as_str()) {
            return Err(ApiError::bad_request(
                format!("unknown parameter `{k}`"),
                format!("this endpoint accepts: {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

/// An optional integer parameter within `lo..=hi`.
pub fn int_param(q: &BTreeMap<String, String>, name: &str, lo: i64, hi: i64) -> ApiResult<Option<i64>> {
    match q.get(name) {
        None => Ok(None),
        Some(s) => {
            let v: i64 = s
                .trim()
                .parse()
                .map_err(|_| ApiError::param(name, format!("`{s}` is not an integer")))?;
            if v < lo || v > hi {
                return Err(ApiError::param(name, format!("{v} is out of range {lo}..={hi}")));
            }
            Ok(Some(v))
        }
    }
}

/// The output format from `f` (or `format`): one of `allowed`, else `default`.
pub fn format_param<'a>(q: &BTreeMap<String, String>, allowed: &[&'a str], default: &'a str) -> ApiResult<&'a str> {
    let v = q.get("f").or_else(|| q.get("format"));
    match v {
        None => Ok(default),
        Some(s) => allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(s))
            .copied()
            .ok_or_else(|| ApiError::param("f", format!("unknown format `{s}` (one of: {})", allowed.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn negotiation_follows_q_values() {
        // RFC 9110 §12.5.3 examples.
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(negotiate(&h("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&h("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(negotiate(&h("br;q=0.5, gzip;q=1.0")), Encoding::Gzip);
        assert_eq!(negotiate(&h("*;q=0.3, br;q=0")), Encoding::Zstd);
        assert_eq!(negotiate(&h("identity")), Encoding::Identity);
        assert_eq!(negotiate(&h("deflate")), Encoding::Identity);
    }

    #[test]
    fn compression_round_trips() {
        let data = b"covermap tile covermap tile covermap tile".repeat(50);
        let g = compress(&data, Encoding::Gzip).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&g[..]), &mut out).unwrap();
        assert_eq!(out, data);
        let z = compress(&data, Encoding::Zstd).unwrap();
        assert_eq!(zstd::bulk::decompress(&z, data.len()).unwrap(), data);
        let b = compress(&data, Encoding::Brotli).unwrap();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &b[..], &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn etags_and_if_none_match() {
        let t = etag(b"x", Encoding::Gzip);
        assert!(t.ends_with("-gzip\""));
        let mut m = HeaderMap::new();
        m.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&format!("\"nope\", W/{t}")).unwrap());
        assert!(not_modified(&m, &t));
        assert!(!not_modified(&m, &etag(b"y", Encoding::Gzip)));
    }
}
