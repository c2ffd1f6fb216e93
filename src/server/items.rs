//! OGC API – Features: `GET /collections/{id}/items?bbox=&limit=&offset=` (GeoJSON FeatureCollection
//! in CRS84 with numberMatched, numberReturned and next/prev links; `f=csv` for the attribute table)
//! and `GET /collections/{id}/items/{fid}`. Features are in ascending id order, so paging is stable.
//!
//! A page holds at most `limit` features (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]) and at
//! most [`PAGE_BYTES`] of features: a page that would grow past it ends early, with
//! `numberReturned` < `limit` and a `next` link from where it stopped — so a client asking for
//! 10,000 zones of up to 20,000 vertices each gets pages it can parse (GDAL's GeoJSON reader rejects
//! documents of hundreds of MB) instead of one body of gigabytes.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use geo::{Coord, Intersects, Rect};
use serde_json::{json, Value as Json};

use super::collections::{unknown_collection, CRS84};
use super::error::{ApiError, ApiResult};
use super::extract::{PathParams, QueryParams};
use super::geojson::{feature, rows_csv};
use super::http::{base_url, format_param, int_param, json_response, only_params};
use super::state::AppState;
use crate::crs::lonlat_to_mercator;
use crate::grid::Bounds;
use crate::tiles::vector_source::VectorSource;

pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 10_000;
/// Most bytes of GeoJSON features on one page (the first feature is always returned).
pub const PAGE_BYTES: usize = 8 * 1024 * 1024;
const ITEM_PARAMS: [&str; 7] = ["bbox", "bbox-crs", "crs", "limit", "offset", "f", "datetime"];

fn check_crs(q: &BTreeMap<String, String>, name: &str) -> ApiResult<()> {
    if let Some(c) = q.get(name) {
        let ok = [CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", "CRS84", "OGC:CRS84"];
        if !ok.iter().any(|k| k.eq_ignore_ascii_case(c.trim())) {
            return Err(ApiError::param(name, format!("`{c}` is not supported; only {CRS84}")));
        }
    }
    Ok(())
}

/// Parse `bbox=minLon,minLat,maxLon,maxLat` (or the 6-number 3D form) into EPSG:3857 rectangles
/// (two when the box crosses the antimeridian, minLon > maxLon).
pub fn parse_bbox(s: &str) -> ApiResult<Vec<Bounds>> {
    let nums: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::param("bbox", format!("`{s}` is not a list of numbers")))?;
    let (w, so, e, n) = match nums.as_slice() {
        [w, s, e, n] => (*w, *s, *e, *n),
        [w, s, _, e, n, _] => (*w, *s, *e, *n),
        _ => {
            return Err(ApiError::param(
                "bbox",
                format!("{} numbers given; expected minLon,minLat,maxLon,maxLat", nums.len()),
            ))
        }
    };
    if ![w, so, e, n].iter().all(|v| v.is_finite()) {
        return Err(ApiError::param("bbox", "coordinates must be finite"));
    }
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(ApiError::param("bbox", "longitudes must be within −180..180"));
    }
    if !(-90.0..=90.0).contains(&so) || !(-90.0..=90.0).contains(&n) {
        return Err(ApiError::param("bbox", "latitudes must be within −90..90"));
    }
    if so > n {
        return Err(ApiError::param("bbox", format!("minimum latitude {so} is north of maximum latitude {n}")));
    }
    let rect = |w: f64, e: f64| {
        let (min_x, min_y) = lonlat_to_mercator(w, so);
        let (max_x, max_y) = lonlat_to_mercator(e, n);
        Bounds { min_x, min_y, max_x, max_y }
    };
    Ok(if w <= e { vec![rect(w, e)] } else { vec![rect(w, 180.0), rect(-180.0, e)] })
}

/// Indices (ascending) of the features meeting any of the boxes; every feature without a box.
pub fn select(src: &VectorSource, boxes: Option<&[Bounds]>) -> Vec<usize> {
    let Some(boxes) = boxes else { return (0..src.len()).collect() };
    let mut out: Vec<usize> = Vec::new();
    for b in boxes {
        let r = Rect::new(Coord { x: b.min_x, y: b.min_y }, Coord { x: b.max_x, y: b.max_y });
        out.extend(
            src.candidates(b)
                .into_iter()
                .filter(|i| src.geoms[*i].as_ref().is_some_and(|g| g.intersects(&r))),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn page_link(base: &str, id: &str, q: &BTreeMap<String, String>, offset: i64, limit: i64, rel: &str, ty: &str, f: Option<&str>) -> Json {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in q {
        if k != "offset" && k != "limit" && k != "f" {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair("limit", &limit.to_string());
    ser.append_pair("offset", &offset.to_string());
    if let Some(f) = f {
        ser.append_pair("f", f);
    }
    json!({"href": format!("{base}/collections/{id}/items?{}", ser.finish()), "rel": rel, "type": ty})
}

pub async fn get_items(
    State(st): State<AppState>,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams,
    headers: HeaderMap,
) -> ApiResult<Response> {
    only_params(&q, &ITEM_PARAMS)?;
    check_crs(&q, "crs")?;
    check_crs(&q, "bbox-crs")?;
    let f = format_param(&q, &["json", "geojson", "csv"], "json")?;
    let limit = int_param(&q, "limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let offset = int_param(&q, "offset", 0, i64::MAX)?.unwrap_or(0);
    let boxes = q.get("bbox").map(|b| parse_bbox(b)).transpose()?;
    let cat = st.full_catalog().await;
    let src = cat.vector(&id).ok_or_else(|| unknown_collection(&id))?.clone();
    let base = base_url(&headers, st.config());

    // Selection and encoding are CPU work proportional to the page: off the async threads.
    let (body, ctype) = tokio::task::spawn_blocking(move || -> Result<(String, &'static str), String> {
        let sel = select(&src, boxes.as_deref());
        let matched = sel.len() as i64;
        let start = offset.min(matched) as usize;
        let end = (offset.saturating_add(limit)).min(matched) as usize;
        let page = &sel[start..end];
        if f == "csv" {
            return Ok((rows_csv(&src, page)?, "text/csv; charset=utf-8"));
        }
        // Features encoded one by one until the page's byte budget is reached.
        let mut features: Vec<String> = Vec::new();
        let mut bytes = 0usize;
        for i in page {
            let f = feature(&src, *i).to_string();
            if !features.is_empty() && bytes + f.len() > PAGE_BYTES {
                break;
            }
            bytes += f.len() + 1;
            features.push(f);
        }
        let returned = features.len() as i64;
        let mut links = vec![
            page_link(&base, &src.id, &q, offset, limit, "self", "application/geo+json", None),
            page_link(&base, &src.id, &q, offset, limit, "alternate", "text/csv", Some("csv")),
            json!({"href": format!("{base}/collections/{}", src.id), "rel": "collection", "type": "application/json"}),
        ];
        if offset + returned < matched {
            links.push(page_link(&base, &src.id, &q, offset + returned, limit, "next", "application/geo+json", None));
        }
        if offset > 0 {
            links.push(page_link(&base, &src.id, &q, (offset - limit).max(0), limit, "prev", "application/geo+json", None));
        }
        let head = json!({
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": returned,
            "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "links": links,
        })
        .to_string();
        // The features are spliced in already encoded: `head` is an object, so it ends in `}`.
        let mut body = String::with_capacity(head.len() + bytes + 16);
        body.push_str(&head[..head.len() - 1]);
        body.push_str(",\"features\":[");
        body.push_str(&features.join(","));
        body.push_str("]}");
        Ok((body, "application/geo+json"))
    })
    .await
    .map_err(|e| ApiError::internal(format!("items task: {e}")))?
    .map_err(ApiError::internal)?;
    let mut res = (axum::http::StatusCode::OK, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res.headers_mut().insert("content-crs", HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"));
    Ok(res)
}

pub async fn get_item(
    State(st): State<AppState>,
    PathParams((id, fid)): PathParams<(String, String)>,
    QueryParams(q): QueryParams,
    headers: HeaderMap,
) -> ApiResult<Response> {
    only_params(&q, &["f", "crs"])?;
    check_crs(&q, "crs")?;
    format_param(&q, &["json", "geojson"], "json")?;
    let cat = st.full_catalog().await;
    let src = cat.vector(&id).ok_or_else(|| unknown_collection(&id))?;
    let missing = || ApiError::not_found("unknown feature", format!("collection `{id}` has no feature `{fid}`"));
    let n: i64 = fid.parse().map_err(|_| missing())?;
    let i = src.index_of(n).ok_or_else(missing)?;
    let base = base_url(&headers, st.config());
    let mut f = feature(src, i);
    f["links"] = json!([
        {"href": format!("{base}/collections/{id}/items/{fid}"), "rel": "self", "type": "application/geo+json"},
        {"href": format!("{base}/collections/{id}"), "rel": "collection", "type": "application/json"},
    ]);
    let mut res = json_response(&headers, &f, "application/geo+json");
    res.headers_mut().insert("content-crs", HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parsing() {
        assert_eq!(parse_bbox("103,20.5,105,22").unwrap().len(), 1);
        assert_eq!(parse_bbox("170,-10,-170,10").unwrap().len(), 2, "antimeridian");
        assert!(parse_bbox("1,2,3").is_err());
        assert!(parse_bbox("1,5,3,2").is_err(), "south of north");
        assert!(parse_bbox("a,b,c,d").is_err());
        assert!(parse_bbox("0,0,200,1").is_err());
        assert!(parse_bbox("0,0,0,1,1,1").is_ok());
    }
}
