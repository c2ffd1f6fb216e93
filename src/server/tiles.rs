//! `GET /tiles/{layers}/{z}/{x}/{y}.mvt|.pbf|.png`: vector tiles (one layer or a comma-separated
//! composite), raster tiles, and tiles of served archives. Tiles are rendered on blocking threads,
//! cached by bytes (raw and per content coding), compressed once per coding, answered with ETag,
//! Cache-Control and 304, and 204 when empty.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::cache::{CachedTile, TileKey};
use super::error::{ApiError, ApiResult};
use super::extract::PathParams;
use super::http::{cached_response, compress, negotiate, Encoding};
use super::state::AppState;
use crate::tiles::catalog::{LookupError, Resolved};
use crate::tiles::{Catalog, TileFormat, TileId};

/// Browsers and tile clients may keep a tile five minutes, then revalidate by ETag.
pub const TILE_CACHE_CONTROL: &str = "public, max-age=300";

pub(crate) fn lookup_error(e: LookupError) -> ApiError {
    match e {
        LookupError::Unknown(d) => ApiError::not_found("unknown layer", d),
        LookupError::Invalid(d) => ApiError::bad_request("invalid layer list", d),
    }
}

fn parse_coord(name: &str, s: &str) -> ApiResult<u64> {
    s.parse::<u64>().map_err(|_| ApiError::param(name, format!("`{s}` is not a non-negative integer")))
}

pub async fn get_tile(
    State(st): State<AppState>,
    PathParams((layers, z, x, yext)): PathParams<(String, String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (y, ext) = yext
        .rsplit_once('.')
        .ok_or_else(|| ApiError::not_found("unknown tile format", format!("a tile URL ends in {}", TileFormat::URL_EXTS)))?;
    let want = TileFormat::from_ext(ext).ok_or_else(|| {
        ApiError::not_found("unknown tile format", format!("`.{ext}`: tiles are {}", TileFormat::URL_EXTS))
    })?;
    let tile = TileId::new(parse_coord("z", &z)?, parse_coord("x", &x)?, parse_coord("y", y)?)?;
    let mut cat = st.catalog();
    let resolved = match cat.resolve(&layers) {
        // A heavy layer still being read at the start: wait for it rather than call it unknown.
        Err(LookupError::Unknown(_)) if !st.loading().is_empty() => {
            cat = st.full_catalog().await;
            cat.resolve(&layers)
        }
        r => r,
    }
    .map_err(lookup_error)?;
    if resolved.format() != want {
        return Err(ApiError::bad_request(
            "wrong tile format",
            format!("`{layers}` is served as .{} tiles, not .{ext}", resolved.format().ext()),
        ));
    }
    let enc = if want.compressible() { negotiate(&headers) } else { Encoding::Identity };
    let layers: Arc<str> = Arc::from(layers.as_str());
    let key = |encoding| TileKey { generation: cat.generation, layers: layers.clone(), tile, encoding };

    let cache = st.cache();
    let entry = match cache.get(&key(enc)) {
        Some(e) => e,
        None => {
            let raw = raw_tile(&st, &cat, resolved, key(Encoding::Identity), tile).await?;
            if enc == Encoding::Identity || raw.is_empty() {
                raw
            } else {
                let body = raw.body.clone();
                let c = tokio::task::spawn_blocking(move || compress(&body, enc))
                    .await
                    .map_err(|e| ApiError::internal(format!("compression task: {e}")))?
                    .map_err(|e| ApiError::internal(format!("compression: {e}")))?;
                let e = Arc::new(CachedTile::new(c, enc));
                cache.insert(key(enc), e.clone());
                e
            }
        }
    };
    if entry.is_empty() {
        let mut res = StatusCode::NO_CONTENT.into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(TILE_CACHE_CONTROL));
        return Ok(res);
    }
    let vary = want.compressible();
    Ok(cached_response(&headers, entry.body.clone(), want.content_type(), &entry.etag, TILE_CACHE_CONTROL, enc, vary))
}

/// The uncompressed tile, from the cache or rendered (vector/raster on a blocking thread, archives
/// read asynchronously).
async fn raw_tile(
    st: &AppState,
    _cat: &Arc<Catalog>,
    resolved: Resolved,
    key: TileKey,
    tile: TileId,
) -> ApiResult<Arc<CachedTile>> {
    if let Resolved::Archive(a) = &resolved {
        if let Some(e) = st.cache().get(&key) {
            return Ok(e);
        }
        let body = a.tile(tile).await?.unwrap_or_default();
        let e = Arc::new(CachedTile::new(body, Encoding::Identity));
        st.cache().insert(key, e.clone());
        return Ok(e);
    }
    let st2 = st.clone();
    tokio::task::spawn_blocking(move || {
        st2.cache().get_or_try_insert(key, || {
            Catalog::render(&resolved, tile).map(|b| Arc::new(CachedTile::new(b.unwrap_or_default(), Encoding::Identity)))
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("render task: {e}")))?
    .map_err(|e| ApiError::internal(e.to_string()))
}
