//! Exposure: per commune and per district, for each hazard and class, the area, hamlets, people,
//! cell sites, fiber access points and road length in that class (layers `exposure_commune` and
//! `exposure_district`).
//!
//! Hamlets and fiber access points belong to the commune their `commune_code` names; cell sites,
//! road pieces and area to the commune whose polygon holds the cell (communes burnt onto the DEM grid
//! once). Each object takes the class of the DEM cell under it; roads are cut into pieces of half a
//! cell and each piece takes the class and commune of its midpoint. Objects outside every commune, or
//! on unclassified cells, are counted in [`Exposure::outside`] / [`Exposure::unclassified`] so the
//! totals always add up.

use std::collections::HashMap;

use rayon::prelude::*;

use super::classify::CLASS_NODATA;
use super::hamlets::sample;
use crate::dataset::Dataset;
use crate::grid::Grid;
use crate::store::{fields_then, FieldType, GeomKind, Layer, Value};

pub const COMMUNE_LAYER: &str = "exposure_commune";
pub const DISTRICT_LAYER: &str = "exposure_district";
pub const HAZARDS: [&str; 2] = ["landslide", "flash_flood"];

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    pub area_m2: f64,
    pub hamlets: u32,
    pub people: u64,
    pub sites: u32,
    pub fiber_aps: u32,
    pub road_m: f64,
}

impl Counts {
    /// Add `o`'s counts (totals over communes or classes).
    pub fn add(&mut self, o: &Counts) {
        self.area_m2 += o.area_m2;
        self.hamlets += o.hamlets;
        self.people += o.people;
        self.sites += o.sites;
        self.fiber_aps += o.fiber_aps;
        self.road_m += o.road_m;
    }
}

/// Per unit, per hazard (landslide, flash flood), per class 1–5.
pub type Table = Vec<[[Counts; 5]; 2]>;

#[derive(Debug, Clone)]
pub struct Exposure {
    /// Indexed like `ds.communes`.
    pub communes: Table,
    /// Objects and area outside every commune, per hazard and class.
    pub outside: [[Counts; 5]; 2],
    /// Hamlets, sites and fiber access points on cells without a class, per hazard.
    pub unclassified: [Counts; 2],
}

/// Commune index + 1 of every cell (0 = outside every commune).
pub fn commune_raster<T: Copy + PartialEq + Send + Sync>(ds: &Dataset, like: &Grid<T>) -> Grid<u16> {
    let polys: Vec<_> = ds.communes.iter().map(|c| &c.geom).collect();
    crate::grid::rasterize::burn_polygons(like, &polys)
}

impl Exposure {
    pub fn new(ds: &Dataset) -> Self {
        Self { communes: vec![Default::default(); ds.communes.len()], outside: Default::default(), unclassified: Default::default() }
    }

    fn slot(&mut self, unit: Option<usize>, hz: usize, class: u8) -> Option<&mut Counts> {
        if class == CLASS_NODATA || class > 5 {
            return None;
        }
        Some(match unit {
            Some(u) => &mut self.communes[u][hz][class as usize - 1],
            None => &mut self.outside[hz][class as usize - 1],
        })
    }

    /// Add one hazard's classes (`hz` 0 = landslide, 1 = flash flood). `hamlet_classes[i]` is the
    /// class of hamlet i for this hazard.
    pub fn add_hazard(&mut self, ds: &Dataset, hz: usize, classes: &Grid<u8>, communes: &Grid<u16>, hamlet_classes: &[u8]) {
        let n = ds.communes.len();
        let cell_area = classes.transform.dx * classes.transform.dy;
        // Area: cells per (commune, class), folded in parallel.
        let cells = classes
            .data
            .par_iter()
            .zip(communes.data.par_iter())
            .fold(
                || vec![[0u64; 5]; n + 1],
                |mut acc, (k, u)| {
                    if *k != CLASS_NODATA && *k <= 5 {
                        acc[*u as usize][*k as usize - 1] += 1;
                    }
                    acc
                },
            )
            .reduce(
                || vec![[0u64; 5]; n + 1],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        for k in 0..5 {
                            x[k] += y[k];
                        }
                    }
                    a
                },
            );
        for (u, per) in cells.iter().enumerate() {
            for k in 0..5 {
                let unit = if u == 0 { None } else { Some(u - 1) };
                if let Some(s) = self.slot(unit, hz, k as u8 + 1) {
                    s.area_m2 += per[k] as f64 * cell_area;
                }
            }
        }
        let by_code: HashMap<&str, usize> = ds.communes.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
        let unit_at = |p: geo::Point<f64>| sample(communes, p).map(|u| u as usize - 1);

        for (h, k) in ds.hamlets.iter().zip(hamlet_classes) {
            let unit = by_code.get(h.commune_code.as_str()).copied();
            match self.slot(unit, hz, *k) {
                Some(s) => {
                    s.hamlets += 1;
                    s.people += h.population as u64;
                }
                None => {
                    self.unclassified[hz].hamlets += 1;
                    self.unclassified[hz].people += h.population as u64;
                }
            }
        }
        for s in &ds.sites {
            let k = sample(classes, s.pos).unwrap_or(CLASS_NODATA);
            match self.slot(unit_at(s.pos), hz, k) {
                Some(c) => c.sites += 1,
                None => self.unclassified[hz].sites += 1,
            }
        }
        for a in &ds.fiber_access_points {
            let k = sample(classes, a.pos).unwrap_or(CLASS_NODATA);
            match self.slot(by_code.get(a.commune_code.as_str()).copied(), hz, k) {
                Some(c) => c.fiber_aps += 1,
                None => self.unclassified[hz].fiber_aps += 1,
            }
        }
        let step = classes.transform.dx.min(classes.transform.dy) / 2.0;
        for road in &ds.roads {
            for seg in road.geom.lines() {
                let (a, b) = (seg.start, seg.end);
                let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
                let pieces = (len / step).ceil().max(1.0) as usize;
                let piece = len / pieces as f64;
                for j in 0..pieces {
                    let t = (j as f64 + 0.5) / pieces as f64;
                    let p = geo::Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
                    let k = sample(classes, p).unwrap_or(CLASS_NODATA);
                    match self.slot(unit_at(p), hz, k) {
                        Some(c) => c.road_m += piece,
                        None => self.unclassified[hz].road_m += piece,
                    }
                }
            }
        }
    }

    /// Per district (indexed like `ds.districts`), summing its communes (by `district_code`).
    pub fn districts(&self, ds: &Dataset) -> Table {
        let by_code: HashMap<&str, usize> = ds.districts.iter().enumerate().map(|(i, d)| (d.code.as_str(), i)).collect();
        let mut t: Table = vec![Default::default(); ds.districts.len()];
        for (c, row) in ds.communes.iter().zip(&self.communes) {
            if let Some(&d) = by_code.get(c.district_code.as_str()) {
                for hz in 0..2 {
                    for k in 0..5 {
                        t[d][hz][k].add(&row[hz][k]);
                    }
                }
            }
        }
        t
    }
}

/// The unit's fields, the hazard, then the [`Counts`] of each class 1–5 and of the high classes.
fn fields(unit: &[(&'static str, FieldType)]) -> Vec<(String, FieldType)> {
    let per_class = (1..=5).map(|k| k.to_string()).chain(std::iter::once("high".to_string())).flat_map(|k| {
        [
            (format!("area_m2_{k}"), FieldType::Real),
            (format!("hamlets_{k}"), FieldType::Integer),
            (format!("people_{k}"), FieldType::Integer),
            (format!("sites_{k}"), FieldType::Integer),
            (format!("fiber_aps_{k}"), FieldType::Integer),
            (format!("road_m_{k}"), FieldType::Real),
        ]
    });
    fields_then(unit, std::iter::once(("hazard".to_string(), FieldType::Text)).chain(per_class))
}

fn values(c: &Counts) -> [Value; 6] {
    [c.area_m2.into(), c.hamlets.into(), Value::Int(c.people as i64), c.sites.into(), c.fiber_aps.into(), c.road_m.into()]
}

fn push_rows(l: &mut Layer, id_base: usize, unit_vals: Vec<Value>, geom: &geo::MultiPolygon<f64>, row: &[[Counts; 5]; 2], high: u8) {
    for (hz, name) in HAZARDS.iter().enumerate() {
        let mut v = unit_vals.clone();
        v.push((*name).into());
        let mut hi = Counts::default();
        for (k, c) in row[hz].iter().enumerate() {
            v.extend(values(c));
            if k as u8 + 1 >= high {
                hi.add(c);
            }
        }
        v.extend(values(&hi));
        l.push((id_base * 2 + hz + 1) as i64, Some(geom.clone().into()), v);
    }
}

fn layer_with(name: &str, crs: &str, unit: &[(&'static str, FieldType)]) -> Layer {
    Layer::new(name, GeomKind::MultiPolygon, crs, &fields(unit))
}

/// `exposure_commune`: one feature per commune and hazard, with the commune's outline.
pub fn commune_layer(ds: &Dataset, e: &Exposure, high: u8) -> Layer {
    let mut l = layer_with(
        COMMUNE_LAYER,
        &ds.crs,
        &[("commune_code", FieldType::Text), ("commune_name", FieldType::Text), ("district_code", FieldType::Text), ("population", FieldType::Integer)],
    );
    for (i, (c, row)) in ds.communes.iter().zip(&e.communes).enumerate() {
        let unit = vec![c.code.as_str().into(), c.name.as_str().into(), c.district_code.as_str().into(), c.population.into()];
        push_rows(&mut l, i, unit, &c.geom, row, high);
    }
    l
}

/// `exposure_district`: one feature per district and hazard.
pub fn district_layer(ds: &Dataset, e: &Exposure, high: u8) -> Layer {
    let mut l = layer_with(DISTRICT_LAYER, &ds.crs, &[("district_code", FieldType::Text), ("district_name", FieldType::Text)]);
    for (i, (d, row)) in ds.districts.iter().zip(e.districts(ds)).enumerate() {
        push_rows(&mut l, i, vec![d.code.as_str().into(), d.name.as_str().into()], &d.geom, &row, high);
    }
    l
}

/// Province totals per hazard and class (communes + outside).
pub fn totals(e: &Exposure) -> [[Counts; 5]; 2] {
    let mut t = e.outside;
    for row in &e.communes {
        for hz in 0..2 {
            for k in 0..5 {
                t[hz][k].add(&row[hz][k]);
            }
        }
    }
    t
}
