//! Which features a vector tile keeps first when its byte budget forces it to leave some out: the
//! ones a decision turns on — uncovered hamlets, high-risk hamlets, higher hazard classes, orchards in
//! poor health. A layer's priority comes from the first of [`RULES`] whose field it has; the rule is
//! published in the layer's TileJSON entry, so a client knows what a trimmed tile kept.

use crate::store::{Field, FieldType, Value};

/// How a field's value ranks a feature (higher score = kept first).
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Score 1 when the integer equals this value.
    IntEq(i64),
    /// The integer itself (e.g. a hazard class 1–5).
    IntHigher,
    /// Score by position in a worst-first list of text values.
    TextWorstFirst(&'static [&'static str]),
}

/// (field, ranking, what it keeps first) — in order of preference.
const RULES: [(&str, Want, &str); 5] = [
    ("covered", Want::IntEq(0), "uncovered features first (covered = 0)"),
    ("high_risk", Want::IntEq(1), "high-risk features first (high_risk = 1)"),
    ("health_class", Want::TextWorstFirst(&["severe", "stressed", "watch"]), "severe, then stressed, then watch orchards first (health_class)"),
    ("max_class", Want::IntHigher, "higher hazard classes first (max_class)"),
    ("class", Want::IntHigher, "higher classes first (class)"),
];

/// A layer's priority rule and each feature's score.
#[derive(Debug, Clone, Default)]
pub struct Priority {
    /// The field the rule reads (`None`: no rule applies, all scores 0).
    pub field: Option<&'static str>,
    /// What the rule keeps first, for TileJSON.
    pub rule: Option<&'static str>,
    pub scores: Vec<f64>,
}

/// The priority of every feature of a layer with `fields` and rows `values`.
pub fn priorities(fields: &[Field], values: &[Vec<Value>]) -> Priority {
    for (name, want, rule) in RULES {
        let Some(k) = fields.iter().position(|f| f.name == name) else { continue };
        let ty_ok = match want {
            Want::IntEq(_) | Want::IntHigher => matches!(fields[k].ty, FieldType::Integer | FieldType::Real),
            Want::TextWorstFirst(_) => fields[k].ty == FieldType::Text,
        };
        if !ty_ok {
            continue;
        }
        let scores = values
            .iter()
            .map(|row| match (&row[k], want) {
                (v, Want::IntEq(x)) => f64::from(v.as_f64() == Some(x as f64)),
                (v, Want::IntHigher) => v.as_f64().unwrap_or(0.0),
                (Value::Text(s), Want::TextWorstFirst(list)) => {
                    list.iter().position(|w| w == s).map_or(0.0, |p| (list.len() - p) as f64)
                }
                _ => 0.0,
            })
            .collect();
        return Priority { field: Some(name), rule: Some(rule), scores };
    }
    Priority { field: None, rule: None, scores: vec![0.0; values.len()] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Layer;
    use crate::store::GeomKind;

    #[test]
    fn uncovered_and_worse_health_rank_first() {
        let l = Layer::new("h", GeomKind::Point, "EPSG:4326", &[("population", FieldType::Integer), ("covered", FieldType::Integer)]);
        let p = priorities(&l.fields, &[vec![Value::Int(9), Value::Int(1)], vec![Value::Int(3), Value::Int(0)], vec![Value::Int(3), Value::Null]]);
        assert_eq!(p.field, Some("covered"));
        assert_eq!(p.scores, vec![0.0, 1.0, 0.0]);
        let o = Layer::new("o", GeomKind::Polygon, "EPSG:4326", &[("health_class", FieldType::Text)]);
        let rows: Vec<Vec<Value>> = ["healthy", "severe", "watch", "stressed"].iter().map(|s| vec![Value::Text(s.to_string())]).collect();
        assert_eq!(priorities(&o.fields, &rows).scores, vec![0.0, 3.0, 1.0, 2.0]);
        let none = Layer::new("r", GeomKind::LineString, "EPSG:4326", &[("name", FieldType::Text)]);
        assert_eq!(priorities(&none.fields, &[vec![Value::Null]]).rule, None);
    }
}
