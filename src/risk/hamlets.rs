//! Hazard at each hamlet: the landslide and flash-flood class, HAND and slope of the DEM cell under
//! the hamlet's point, and the ranking of high-risk hamlets by population (layer `hamlet_risk`).
//! A hamlet on a cell without a class (the DEM's outer ring, nodata) keeps empty values rather than
//! being dropped, and is counted in [`HamletRisk::unclassified`].

use geo::Point;

use super::classify::CLASS_NODATA;
use crate::dataset::Dataset;
use crate::grid::Grid;
use crate::store::{FieldType, GeomKind, Layer, Value};

pub const LAYER: &str = "hamlet_risk";

/// Per-hamlet hazard values, in the dataset's hamlet order.
#[derive(Debug, Clone, Default)]
pub struct HamletHazard {
    pub hamlet_id: i64,
    /// Class 1–5, or 0 when the hamlet's cell has none.
    pub landslide_class: u8,
    pub flood_class: u8,
    pub hand_m: Option<f32>,
    pub slope_deg: Option<f32>,
}

impl HamletHazard {
    /// The higher of the two classes.
    pub fn max_class(&self) -> u8 {
        self.landslide_class.max(self.flood_class)
    }
}

/// The per-hamlet table, filled stage by stage as the grids are computed (and then dropped).
#[derive(Debug, Clone, Default)]
pub struct HamletRisk {
    pub rows: Vec<HamletHazard>,
}

/// The value of a grid at a point, when inside and not nodata.
pub fn sample<T: Copy + PartialEq + Send + Sync>(g: &Grid<T>, p: Point<f64>) -> Option<T> {
    let (c, r) = g.cell_of(p.x(), p.y())?;
    let v = g.get(c, r);
    (Some(v) != g.nodata).then_some(v)
}

/// The fields of the [`LAYER`] layer, in the order of each feature's values.
const FIELDS: &[(&str, FieldType)] = &[
    ("hamlet_id", FieldType::Integer),
    ("name", FieldType::Text),
    ("commune_code", FieldType::Text),
    ("population", FieldType::Integer),
    ("landslide_class", FieldType::Integer),
    ("flood_class", FieldType::Integer),
    ("max_class", FieldType::Integer),
    ("hand_m", FieldType::Real),
    ("slope_deg", FieldType::Real),
    ("high_risk", FieldType::Integer),
    ("rank", FieldType::Integer),
];

impl HamletRisk {
    pub fn new(ds: &Dataset) -> Self {
        Self { rows: ds.hamlets.iter().map(|h| HamletHazard { hamlet_id: h.id, ..Default::default() }).collect() }
    }

    pub fn set_slope(&mut self, ds: &Dataset, slope: &Grid<f32>) {
        for (row, h) in self.rows.iter_mut().zip(&ds.hamlets) {
            row.slope_deg = sample(slope, h.pos);
        }
    }

    pub fn set_hand(&mut self, ds: &Dataset, hand: &Grid<f32>) {
        for (row, h) in self.rows.iter_mut().zip(&ds.hamlets) {
            row.hand_m = sample(hand, h.pos);
        }
    }

    pub fn set_classes(&mut self, ds: &Dataset, landslide: Option<&Grid<u8>>, flood: Option<&Grid<u8>>) {
        for (row, h) in self.rows.iter_mut().zip(&ds.hamlets) {
            if let Some(g) = landslide {
                row.landslide_class = sample(g, h.pos).unwrap_or(CLASS_NODATA);
            }
            if let Some(g) = flood {
                row.flood_class = sample(g, h.pos).unwrap_or(CLASS_NODATA);
            }
        }
    }

    /// Hamlets without either class.
    pub fn unclassified(&self) -> usize {
        self.rows.iter().filter(|r| r.landslide_class == CLASS_NODATA || r.flood_class == CLASS_NODATA).count()
    }

    /// Indices of the hamlets whose higher class reaches `high_class`, most people first (ties by id).
    pub fn ranked_high(&self, ds: &Dataset, high_class: u8) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.rows.len()).filter(|i| self.rows[*i].max_class() >= high_class).collect();
        v.sort_by_key(|i| (std::cmp::Reverse(ds.hamlets[*i].population), ds.hamlets[*i].id));
        v
    }

    /// The `hamlet_risk` layer: every hamlet, with its classes, HAND, slope, population, commune and
    /// (for high-risk hamlets) its rank by population.
    pub fn layer(&self, ds: &Dataset, high_class: u8) -> Layer {
        let mut l = Layer::new(LAYER, GeomKind::Point, &ds.crs, FIELDS);
        let mut rank = vec![None; self.rows.len()];
        for (k, i) in self.ranked_high(ds, high_class).into_iter().enumerate() {
            rank[i] = Some(k as i64 + 1);
        }
        let class = |c: u8| if c == CLASS_NODATA { Value::Null } else { Value::Int(c as i64) };
        for (i, (row, h)) in self.rows.iter().zip(&ds.hamlets).enumerate() {
            l.push(
                h.id,
                Some(h.pos.into()),
                vec![
                    h.id.into(),
                    h.name.as_str().into(),
                    h.commune_code.as_str().into(),
                    h.population.into(),
                    class(row.landslide_class),
                    class(row.flood_class),
                    class(row.max_class()),
                    row.hand_m.into(),
                    row.slope_deg.into(),
                    (row.max_class() >= high_class).into(),
                    rank[i].into(),
                ],
            );
        }
        l
    }
}
