//! `GET /tiles/{layer}/legend.json`: a raster layer's colour map as legend entries (value, colour,
//! label); for a vector layer, its geometry type and fields (the viewer styles those itself).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::extract::PathParams;
use super::state::AppState;
use crate::tiles::Source;

pub async fn get_legend(
    State(st): State<AppState>,
    PathParams((layer, file)): PathParams<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if file != "legend.json" {
        return Err(ApiError::not_found(
            "not found",
            format!("`/tiles/{layer}/{file}`: tiles are at /tiles/{{layer}}/{{z}}/{{x}}/{{y}}.mvt|png, the legend at /tiles/{{layer}}/legend.json"),
        ));
    }
    let cat = st.full_catalog().await;
    let src = cat.get(&layer).ok_or_else(|| ApiError::not_found("unknown layer", format!("unknown layer `{layer}`")))?;
    let v = match src {
        Source::Raster(r) => r.colormap.legend(&layer),
        Source::Vector(v) => json!({
            "layer": layer,
            "kind": "vector",
            "geometry_type": v.geometry_type_name(),
            "fields": v.fields.iter().map(|f| json!({"name": f.name, "type": f.ty})).collect::<Vec<_>>(),
            "entries": [],
        }),
        Source::Archive(a) => json!({"layer": layer, "kind": "archive", "vector_layers": a.meta.vector_layers, "entries": []}),
    };
    Ok(super::http::json_response(&headers, &v, "application/json"))
}
