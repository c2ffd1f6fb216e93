//! Small synthetic datasets built in memory, for the coverage tests and benchmarks: DEMs (flat,
//! a ridge, fractal hills from seeded value noise) and a miniature province with districts, communes,
//! hamlets, two operators' sites, a road grid and fiber access points. Deterministic for a seed.

use geo::{coord, LineString, MultiPolygon, Point, Rect};
use rayon::prelude::*;

use crate::dataset::{CellSite, Commune, Dataset, District, FiberAccessPoint, Hamlet, Road, Sector};
use crate::grid::{GeoTransform, Grid};

/// Upper-left corner used by the synthetic grids (UTM 48N, inside Sơn La).
pub const X0: f64 = 400_000.0;
pub const Y0: f64 = 2_400_000.0;

/// A DEM of constant elevation `z`.
pub fn flat_dem(width: usize, height: usize, cell_m: f64, z: f32) -> Grid<f32> {
    Grid::new(width, height, GeoTransform { x0: X0, y0: Y0, dx: cell_m, dy: cell_m }, z, Some(-32768.0))
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in [0, 1) from integers.
pub fn hash01(a: i64, b: i64, seed: u64) -> f64 {
    let h = splitmix(seed ^ splitmix((a as u64).wrapping_mul(0x1F1F_1F1F) ^ splitmix(b as u64)));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn value_noise(x: f64, y: f64, seed: u64) -> f64 {
    let (ix, iy) = (x.floor(), y.floor());
    let (fx, fy) = (x - ix, y - iy);
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let (ix, iy) = (ix as i64, iy as i64);
    let v = |a, b| hash01(ix + a, iy + b, seed);
    let top = v(0, 0) + (v(1, 0) - v(0, 0)) * s(fx);
    let bot = v(0, 1) + (v(1, 1) - v(0, 1)) * s(fx);
    top + (bot - top) * s(fy)
}

/// Fractal hills: 6 octaves of value noise, the largest 6 km across, peak-to-trough about `relief_m`
/// over a base of 300 m.
pub fn hilly_dem(width: usize, height: usize, cell_m: f64, seed: u64, relief_m: f64) -> Grid<f32> {
    let mut g = flat_dem(width, height, cell_m, 0.0);
    g.data.par_chunks_mut(width).enumerate().for_each(|(r, row)| {
        for (c, z) in row.iter_mut().enumerate() {
            let (x, y) = (c as f64 * cell_m, r as f64 * cell_m);
            let mut sum = 0.0;
            let (mut f, mut a) = (1.0 / 6000.0, 1.0);
            for o in 0..6 {
                sum += a * value_noise(x * f, y * f, seed.wrapping_add(o));
                f *= 2.0;
                a *= 0.5;
            }
            *z = (300.0 + relief_m * sum / 1.97) as f32;
        }
    });
    g
}

/// A sector with TR 36.814-like defaults (65° × 10°, 2° electrical tilt).
pub fn sector(site_id: i64, id: i64, azimuth_deg: Option<f64>, height_m: f64, frequency_mhz: f64, rs_eirp_dbm: f64) -> Sector {
    Sector {
        id,
        site_id,
        azimuth_deg,
        height_m,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: if azimuth_deg.is_some() { 2.0 } else { 0.0 },
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
        rs_eirp_dbm,
        frequency_mhz,
    }
}

fn site(id: i64, operator: &str, x: f64, y: f64, sectors: Vec<Sector>) -> CellSite {
    CellSite { id, operator: operator.into(), name: format!("{operator}-{id}"), pos: Point::new(x, y), ground_m: 0.0, sectors }
}

/// A three-sector site (azimuths 0/120/240) at (x, y).
pub fn three_sector_site(id: i64, operator: &str, x: f64, y: f64, height_m: f64, frequency_mhz: f64) -> CellSite {
    site(id, operator, x, y, (0..3).map(|k| sector(id, id * 10 + k, Some(120.0 * k as f64), height_m, frequency_mhz, 27.0)).collect())
}

/// [`three_sector_site`] 1 at the centre of DEM cell `cell` of `ds` moved by `offset` (m), prepared
/// for `params`: the sweep tests' site (its transmitter is `txs[0]`).
pub fn prepared_three_sector(
    ds: &Dataset,
    params: &crate::coverage::params::CoverageParams,
    cell: (usize, usize),
    offset: (f64, f64),
    height_m: f64,
    frequency_mhz: f64,
) -> crate::coverage::sites::PreparedSite {
    let (x, y) = ds.dem.cell_center(cell.0, cell.1);
    let site = three_sector_site(1, "t", x + offset.0, y + offset.1, height_m, frequency_mhz);
    crate::coverage::sites::prepare_site(ds, 0, &site, params).expect("a valid synthetic site")
}

/// An omni site at (x, y).
pub fn omni_site(id: i64, operator: &str, x: f64, y: f64, height_m: f64, frequency_mhz: f64) -> CellSite {
    site(id, operator, x, y, vec![sector(id, id * 10, None, height_m, frequency_mhz, 27.0)])
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 }).to_polygon()])
}

/// A rectangular commune `code` of district `district_code` over (x0, y0)–(x1, y1), centred in it,
/// named "Commune {code}", with no people until the caller gives it some.
pub fn rect_commune(id: i64, code: &str, district_code: &str, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> Commune {
    Commune {
        id,
        code: code.into(),
        name: format!("Commune {code}"),
        district_code: district_code.into(),
        population: 0,
        households: 0,
        geom: rect(x0, y0, x1, y1),
        centre: Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0),
    }
}

/// An empty dataset around a DEM (province = the DEM's extent).
pub fn empty_dataset(dem: Grid<f32>) -> Dataset {
    let b = dem.bounds();
    Dataset {
        name: "synthetic".into(),
        crs: "EPSG:32648".into(),
        province: rect(b.min_x, b.min_y, b.max_x, b.max_y),
        dem,
        districts: vec![],
        communes: vec![],
        hamlets: vec![],
        sites: vec![],
        roads: vec![],
        fiber_routes: vec![],
        fiber_access_points: vec![],
        orchards: vec![],
        rivers: vec![],
        towns: vec![],
        hydropower: vec![],
        uav_flights: vec![],
        measurements: vec![],
        dem_source: None,
        landcover: None,
    }
}

/// An empty dataset around `dem` whose land cover is tree cover (ESA WorldCover class 10) where
/// `forest(col, row)` and grassland (30) elsewhere.
pub fn forested(dem: Grid<f32>, forest: impl Fn(usize, usize) -> bool) -> Dataset {
    let (w, h, t) = (dem.width, dem.height, dem.transform);
    let mut ds = empty_dataset(dem);
    ds.landcover = Some(std::sync::Arc::new(Grid::from_fn(w, h, t, Some(0u8), |c, r| if forest(c, r) { 10 } else { 30 })));
    ds
}

/// A miniature province on hilly terrain: 400 × 300 cells of 30 m (12 × 9 km), two districts split
/// east/west, four communes (quadrants), 80 hamlets, six sites of two operators ("alpha", "beta"),
/// a road grid (every 3 km east-west, 4 km north-south, noded at crossings) and three fiber access
/// points.
pub fn mini_province(seed: u64) -> Dataset {
    let (w, h, cell) = (400usize, 300usize, 30.0);
    let dem = hilly_dem(w, h, cell, seed, 500.0);
    let mut ds = empty_dataset(dem);
    ds.name = format!("mini-{seed}");
    let (x1, y1) = (X0 + w as f64 * cell, Y0 - h as f64 * cell);
    let xm = (X0 + x1) / 2.0;
    let ym = (Y0 + y1) / 2.0;
    ds.districts = vec![
        District { id: 1, code: "D1".into(), name: "West".into(), geom: rect(X0, y1, xm, Y0) },
        District { id: 2, code: "D2".into(), name: "East".into(), geom: rect(xm, y1, x1, Y0) },
    ];
    let quads = [
        ("C11", "D1", X0, ym, xm, Y0),
        ("C12", "D1", X0, y1, xm, ym),
        ("C21", "D2", xm, ym, x1, Y0),
        ("C22", "D2", xm, y1, x1, ym),
    ];
    for (i, &(code, d, a, b, c, e)) in quads.iter().enumerate() {
        ds.communes.push(rect_commune(i as i64 + 1, code, d, (a, b, c, e)));
    }
    for k in 0..80i64 {
        let x = X0 + 300.0 + hash01(k, 1, seed) * (x1 - X0 - 600.0);
        let y = y1 + 300.0 + hash01(k, 2, seed) * (Y0 - y1 - 600.0);
        let code = match (x < xm, y > ym) {
            (true, true) => "C11",
            (true, false) => "C12",
            (false, true) => "C21",
            (false, false) => "C22",
        };
        ds.hamlets.push(Hamlet {
            id: 1000 + k,
            name: format!("Bản {k}"),
            commune_code: code.into(),
            population: 100 + (hash01(k, 3, seed) * 700.0) as u32,
            pos: Point::new(x, y),
        });
    }
    for c in ds.communes.iter_mut() {
        c.population = ds.hamlets.iter().filter(|h| h.commune_code == c.code).map(|h| h.population).sum();
        c.households = c.population / 4;
    }
    let sites = [
        ("alpha", 0.2, 0.3, 1800.0),
        ("alpha", 0.7, 0.25, 1800.0),
        ("alpha", 0.45, 0.75, 900.0),
        ("beta", 0.25, 0.6, 1800.0),
        ("beta", 0.8, 0.7, 1800.0),
        ("beta", 0.55, 0.45, 1800.0),
    ];
    for (i, (op, fx, fy, f)) in sites.iter().enumerate() {
        let (x, y) = (X0 + fx * (x1 - X0), Y0 - fy * (Y0 - y1));
        let mut s = three_sector_site(i as i64 + 1, op, x, y, 30.0, *f);
        s.ground_m = ds.dem.sample_bilinear(x, y).unwrap_or(0.0);
        ds.sites.push(s);
    }
    let mut id = 1;
    let mut yy = Y0 - 1500.0;
    while yy > y1 {
        let pts: Vec<(f64, f64)> = (0..=12).map(|k| (X0 + k as f64 * 1000.0, yy)).collect();
        ds.roads.push(Road { id, name: format!("EW {id}"), class: "provincial".into(), geom: LineString::from(pts) });
        id += 1;
        yy -= 3000.0;
    }
    let mut xx = X0 + 2000.0;
    while xx < x1 {
        let pts: Vec<(f64, f64)> = (0..=9).map(|k| (xx, Y0 - k as f64 * 1000.0)).collect();
        ds.roads.push(Road { id, name: format!("NS {id}"), class: "district".into(), geom: LineString::from(pts) });
        id += 1;
        xx += 4000.0;
    }
    for (i, (x, y, code)) in [(X0 + 2000.0, Y0 - 1500.0, "C11"), (X0 + 10_000.0, Y0 - 4500.0, "C21"), (X0 + 6000.0, Y0 - 7500.0, "C22")]
        .iter()
        .enumerate()
    {
        ds.fiber_access_points.push(FiberAccessPoint { id: i as i64 + 1, commune_code: code.to_string(), pos: Point::new(*x, *y) });
    }
    ds
}
