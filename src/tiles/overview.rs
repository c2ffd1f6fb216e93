//! Low-zoom overviews of faceted layers: a layer with one row per place × facet sharing one
//! geometry (`coverage_h3`: one row per hexagon × operator) repeats each geometry once per facet, so
//! at the zooms where a province fits in a few tiles its tiles cannot hold every place within the
//! byte budget — at z7–z8 the fullest Sơn La tile holds ≈ 10,000 hexagons, 40,000 rows, about 50
//! bytes a row. Below [`OVERVIEW_BELOW_ZOOM`] such a layer is tiled from its overview instead:
//! one feature per place (its first row's id and geometry) carrying each facet's value fields as
//! `<field>_<facet>` (`area_share_p90_any`, `area_share_5mbps_viettel`, …), rounded to 0.01 so the
//! tile's value table stays small. Attributes are dropped, never places (issue 11's rule: polygons
//! are simplified, never dropped); from the overview zoom on the tiles carry every row and field.

use crate::store::{Field, FieldType, Layer, Value};

/// Zooms below this one tile a faceted layer from its overview. Measured on the 30 m Sơn La store
/// (`tests/server/tiles_h3_overview.rs`): the full rows overflow the budget up to z9 (a z9 tile holds
/// ≈ 2,400 hexagons × 4 operators) and a z10 tile comes close to it; at z11 they take ≈ 125 KiB.
pub const OVERVIEW_BELOW_ZOOM: u8 = 11;

/// A faceted layer: the field naming the place, the field naming the facet, and the prefix of the
/// value fields an overview keeps (Real fields only).
struct Facets {
    place: &'static str,
    facet: &'static str,
    values_prefix: &'static str,
}

const RULES: [Facets; 1] = [Facets { place: "h3_index", facet: "operator", values_prefix: "area_share_" }];

/// A facet value as it appears in a field name: lower case, anything but letters, digits and `_`
/// replaced by `_` (as the coverage stage names per-operator fields).
fn facet_key(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    let k: String = s.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
    (!k.is_empty()).then_some(k)
}

/// The overview of `layer`, or `None` when no rule applies (or it has no value field to keep).
pub fn overview(layer: &Layer) -> Option<Layer> {
    let pos = |n: &str| layer.fields.iter().position(|f| f.name == n && f.ty == FieldType::Text);
    let (rule, place, facet) = RULES.iter().find_map(|r| Some((r, pos(r.place)?, pos(r.facet)?)))?;
    let value_fields: Vec<usize> =
        (0..layer.fields.len()).filter(|k| layer.fields[*k].ty == FieldType::Real && layer.fields[*k].name.starts_with(rule.values_prefix)).collect();
    if value_fields.is_empty() {
        return None;
    }
    // Facets in order of first appearance; places in order of their first row's id.
    let mut rows: Vec<&crate::store::Feature> = layer.features.iter().collect();
    rows.sort_by_key(|f| f.id);
    let mut facets: Vec<String> = Vec::new();
    let mut places: Vec<(&str, usize)> = Vec::new(); // (place, first row)
    let mut by_place: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, f) in rows.iter().enumerate() {
        if let Some(k) = facet_key(&f.values[facet]) {
            if !facets.contains(&k) {
                facets.push(k);
            }
        }
        if let Some(p) = f.values[place].as_str() {
            by_place.entry(p).or_insert_with(|| {
                places.push((p, i));
                places.len() - 1
            });
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    for k in &value_fields {
        for fk in &facets {
            fields.push(Field { name: format!("{}_{fk}", layer.fields[*k].name), ty: FieldType::Real });
        }
    }
    let mut out = Layer { name: layer.name.clone(), kind: layer.kind, crs: layer.crs.clone(), fields, features: Vec::with_capacity(places.len()) };
    let mut values: Vec<Vec<Value>> = vec![vec![Value::Null; value_fields.len() * facets.len()]; places.len()];
    for f in &rows {
        let (Some(p), Some(fk)) = (f.values[place].as_str(), facet_key(&f.values[facet])) else { continue };
        let (pi, fi) = (by_place[p], facets.iter().position(|x| *x == fk).expect("every facet is listed"));
        for (j, k) in value_fields.iter().enumerate() {
            values[pi][j * facets.len() + fi] = match f.values[*k].as_f64() {
                Some(v) => Value::Real((v * 100.0).round() / 100.0),
                None => Value::Null,
            };
        }
    }
    for ((_, first), v) in places.iter().zip(values) {
        let f = rows[*first];
        out.push(f.id, f.geometry.clone(), v);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FieldType as T, GeomKind};
    use geo::{polygon, Geometry};

    #[test]
    fn one_feature_per_place_with_each_facets_values() {
        let mut l = Layer::new(
            "coverage_h3",
            GeomKind::Polygon,
            "EPSG:3857",
            &[("h3_index", T::Text), ("operator", T::Text), ("area_share_p90", T::Real), ("population", T::Integer), ("area_share_5mbps", T::Real)],
        );
        let sq = |x: f64| Geometry::Polygon(polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0)]);
        // Two hexagons × (alpha, Beta Tel, any), one rate unknown.
        let rows = [("a", "alpha", 0.123, Some(0.5)), ("a", "Beta Tel", 0.0, None), ("a", "any", 0.456, Some(0.75)), ("b", "alpha", 1.0, Some(1.0)), ("b", "Beta Tel", 0.994, Some(0.2)), ("b", "any", 1.0, Some(1.0))];
        for (i, (h, op, p90, r)) in rows.iter().enumerate() {
            let rate = r.map_or(Value::Null, Value::Real);
            l.push(i as i64 + 1, Some(sq(if *h == "a" { 0.0 } else { 5.0 })), vec![(*h).into(), (*op).into(), Value::Real(*p90), Value::Int(7), rate]);
        }
        let o = overview(&l).unwrap();
        let names: Vec<&str> = o.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["area_share_p90_alpha", "area_share_p90_beta_tel", "area_share_p90_any", "area_share_5mbps_alpha", "area_share_5mbps_beta_tel", "area_share_5mbps_any"]
        );
        assert_eq!(o.features.len(), 2, "one feature per hexagon");
        assert_eq!((o.features[0].id, o.features[1].id), (1, 4), "the first row's id");
        assert_eq!(o.features[1].geometry, Some(sq(5.0)));
        assert_eq!(
            o.features[0].values,
            [Value::Real(0.12), Value::Real(0.0), Value::Real(0.46), Value::Real(0.5), Value::Null, Value::Real(0.75)],
            "rounded to 0.01; unknown stays unknown"
        );
        assert_eq!(o.features[1].values[1], Value::Real(0.99));
        // A layer without the facet fields has no overview.
        let plain = Layer::new("communes", GeomKind::Polygon, "EPSG:3857", &[("area_share_p90", T::Real)]);
        assert!(overview(&plain).is_none());
    }
}
