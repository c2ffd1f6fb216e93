//! `dataset::load`: a dataset directory (dataset.toml + sources) → a validated [`Dataset`] in the
//! working CRS. Validation errors name the file, layer, feature and problem; nothing is written.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{BoundingRect, Contains, Geometry, InteriorPoint, LineString, MultiLineString, MultiPolygon, Point};

use super::config::{DatasetConfig, LayerSource};
use super::model::*;
use super::vector_io::{read_layer, Expect, RawLayer};
use crate::error::{Error, Result};
use crate::grid::Grid;

fn layer_src<'a>(cfg: &'a DatasetConfig, dir: &Path, name: &str) -> Result<&'a LayerSource> {
    cfg.layers
        .get(name)
        .ok_or_else(|| Error::input(dir.join(super::config::DATASET_TOML), format!("no [layers.{name}] entry (a required layer)")))
}

fn read(cfg: &DatasetConfig, dir: &Path, name: &str, expect: Expect, required: &[&str]) -> Result<RawLayer> {
    read_layer(dir, name, layer_src(cfg, dir, name)?, expect, required, &cfg.crs)
}

fn read_opt(cfg: &DatasetConfig, dir: &Path, name: &str, expect: Expect, required: &[&str]) -> Result<Option<RawLayer>> {
    match cfg.layers.get(name) {
        Some(src) => Ok(Some(read_layer(dir, name, src, expect, required, &cfg.crs)?)),
        None => Ok(None),
    }
}

fn to_multipolygon(g: Option<Geometry<f64>>) -> MultiPolygon<f64> {
    match g {
        Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Some(Geometry::MultiPolygon(m)) => m,
        _ => MultiPolygon(vec![]),
    }
}

pub(crate) fn to_point(g: Option<Geometry<f64>>) -> Point<f64> {
    match g {
        Some(Geometry::Point(p)) => p,
        Some(Geometry::MultiPoint(m)) if !m.0.is_empty() => m.0[0],
        _ => Point::new(f64::NAN, f64::NAN),
    }
}

fn to_lines(g: Option<Geometry<f64>>) -> Vec<LineString<f64>> {
    match g {
        Some(Geometry::LineString(l)) => vec![l],
        Some(Geometry::MultiLineString(m)) => m.0,
        _ => vec![],
    }
}

/// Read the DEM into the working CRS: as is when it already is in it, else warped.
pub fn load_dem(cfg: &DatasetConfig, dir: &Path) -> Result<Grid<f32>> {
    load_dem_verbatim(cfg, dir).map(|(g, _)| g)
}

/// The DEM, and whether it is the file's content unchanged (no warp, nodata already −32768).
fn load_dem_verbatim(cfg: &DatasetConfig, dir: &Path) -> Result<(Grid<f32>, bool)> {
    let path = dir.join(&cfg.dem.file);
    let ds = crate::grid::io::open(&path)?;
    let file_crs = cfg.dem.crs.clone().or_else(|| crate::grid::io::crs_of(&ds));
    drop(ds);
    let Some(src_crs) = file_crs else {
        return Err(Error::input(&path, "the DEM has no CRS; give one with `crs = \"EPSG:…\"` under [dem]"));
    };
    let same = src_crs == cfg.crs || {
        let a = crate::grid::io::spatial_ref(&src_crs)?;
        let b = crate::grid::io::spatial_ref(&cfg.crs)?;
        a == b
    };
    let mut verbatim = same;
    let mut dem = if same {
        crate::grid::io::read_raster_f32(&path, 1)?.0
    } else {
        let res = cfg.dem.resolution.unwrap_or(30.0);
        crate::grid::io::warp_to(&path, &src_crs, &cfg.crs, res)?
    };
    if (dem.transform.dx - dem.transform.dy).abs() > 1e-6 * dem.transform.dx {
        return Err(Error::input(&path, format!("cells are not square ({} × {} m); warp the DEM first", dem.transform.dx, dem.transform.dy)));
    }
    if dem.transform.dx < 0.01 {
        return Err(Error::input(&path, format!("cell size {} is not in metres (a geographic CRS?)", dem.transform.dx)));
    }
    // Canonical nodata so analyses test one value.
    let nd = -32768.0f32;
    let old = dem.nodata;
    verbatim &= old == Some(nd);
    for v in dem.data.iter_mut() {
        if Some(*v) == old || !v.is_finite() {
            verbatim = false;
            *v = nd;
        }
    }
    dem.nodata = Some(nd);
    // A DEM with no valid cell would otherwise surface later as the first hamlet "in a nodata hole".
    if dem.data.iter().all(|&v| v == nd) {
        return Err(Error::layer(&path, "dem", format!("every cell of the DEM is nodata ({} × {} cells); no elevation to analyse", dem.width, dem.height)));
    }
    Ok((dem, verbatim))
}

/// Fail when `p` is outside the DEM or on a nodata cell.
pub(crate) fn check_on_dem(dem: &Grid<f32>, layer: &RawLayer, fid: i64, p: Point<f64>, what: &str) -> Result<f32> {
    if !p.x().is_finite() || !p.y().is_finite() {
        return Err(layer.err(fid, format!("{what} has no coordinates")));
    }
    match dem.cell_of(p.x(), p.y()) {
        None => {
            let b = dem.bounds();
            Err(layer.err(
                fid,
                format!(
                    "{what} at ({:.0}, {:.0}) is outside the DEM ({:.0}–{:.0}, {:.0}–{:.0})",
                    p.x(),
                    p.y(),
                    b.min_x,
                    b.max_x,
                    b.min_y,
                    b.max_y
                ),
            ))
        }
        Some((c, r)) => {
            let z = dem.get(c, r);
            if dem.is_nodata(z) {
                Err(layer.err(fid, format!("{what} at ({:.0}, {:.0}) falls in a nodata hole of the DEM", p.x(), p.y())))
            } else {
                Ok(z)
            }
        }
    }
}

pub fn load(dir: &Path) -> Result<Dataset> {
    let cfg = DatasetConfig::read(dir)?;
    load_with(&cfg, dir)
}

pub fn load_with(cfg: &DatasetConfig, dir: &Path) -> Result<Dataset> {
    let (dem, verbatim) = load_dem_verbatim(cfg, dir)?;
    let dem_source = verbatim.then(|| dir.join(&cfg.dem.file));
    let crs = cfg.crs.clone();

    let dl = read(cfg, dir, "districts", Expect::Polygon, &["code", "name"])?;
    let mut districts = Vec::new();
    for f in &dl.features {
        districts.push(District {
            id: districts.len() as i64 + 1,
            code: dl.req_text(f, "code")?,
            name: dl.req_text(f, "name")?,
            geom: to_multipolygon(f.geometry.clone()),
        });
    }
    let province = match read_opt(cfg, dir, "province", Expect::Polygon, &[])? {
        Some(p) => MultiPolygon(p.features.into_iter().flat_map(|f| to_multipolygon(f.geometry).0).collect()),
        None => MultiPolygon(districts.iter().flat_map(|d| d.geom.0.clone()).collect()),
    };

    let centres: BTreeMap<String, Point<f64>> = match read_opt(cfg, dir, "commune_centres", Expect::Point, &["code"])? {
        Some(l) => l.features.iter().filter_map(|f| Some((f.text("code")?, to_point(f.geometry.clone())))).collect(),
        None => BTreeMap::new(),
    };
    let cl = read(cfg, dir, "communes", Expect::Polygon, &["code", "name", "district_code", "population", "households"])?;
    let mut communes = Vec::new();
    for f in &cl.features {
        let code = cl.req_text(f, "code")?;
        let geom = to_multipolygon(f.geometry.clone());
        let centre = match centres.get(&code) {
            Some(p) => *p,
            None => geom.interior_point().ok_or_else(|| cl.err(f.fid, "empty polygon"))?,
        };
        let population = cl.req_number(f, "population")?;
        if population < 0.0 {
            return Err(cl.err(f.fid, "attribute `population` is negative (negative population)"));
        }
        let households = cl.req_number(f, "households")?;
        if households < 0.0 {
            return Err(cl.err(f.fid, "attribute `households` is negative (negative households)"));
        }
        communes.push(Commune {
            id: communes.len() as i64 + 1,
            name: cl.req_text(f, "name")?,
            district_code: cl.req_text(f, "district_code")?,
            population: population as u32,
            households: households as u32,
            geom,
            centre,
            code,
        });
    }
    let commune_codes: std::collections::BTreeSet<&str> = communes.iter().map(|c| c.code.as_str()).collect();

    let hl = read(cfg, dir, "hamlets", Expect::Point, &["name", "commune_code", "population"])?;
    let mut hamlets = Vec::new();
    for f in &hl.features {
        let pos = to_point(f.geometry.clone());
        check_on_dem(&dem, &hl, f.fid, pos, "hamlet")?;
        let commune_code = hl.req_text(f, "commune_code")?;
        if !commune_codes.contains(commune_code.as_str()) {
            return Err(hl.err(f.fid, format!("commune_code `{commune_code}` is not a commune of the dataset")));
        }
        let pop = hl.req_number(f, "population")?;
        if pop < 0.0 {
            return Err(hl.err(f.fid, "attribute `population` is negative (negative population)"));
        }
        hamlets.push(Hamlet { id: hamlets.len() as i64 + 1, name: hl.req_text(f, "name")?, commune_code, population: pop as u32, pos });
    }

    let sl = read(cfg, dir, "cell_sites", Expect::Point, &["site_id", "operator", "name"])?;
    let mut sites = Vec::new();
    let mut site_index = BTreeMap::new();
    for f in &sl.features {
        let pos = to_point(f.geometry.clone());
        let ground = check_on_dem(&dem, &sl, f.fid, pos, "site")?;
        let id = sl.req_number(f, "site_id")? as i64;
        if site_index.insert(id, sites.len()).is_some() {
            return Err(sl.err(f.fid, format!("duplicate site_id {id}")));
        }
        sites.push(CellSite { id, operator: sl.req_text(f, "operator")?.to_lowercase(), name: sl.req_text(f, "name")?, pos, ground_m: ground, sectors: vec![] });
    }
    let secl = read(
        cfg,
        dir,
        "sectors",
        Expect::Table,
        &["sector_id", "site_id", "azimuth_deg", "height_m", "mech_tilt_deg", "elec_tilt_deg", "h_beamwidth_deg", "v_beamwidth_deg", "rs_eirp_dbm", "frequency_mhz"],
    )?;
    for f in &secl.features {
        let site_id = secl.req_number(f, "site_id")? as i64;
        let Some(&si) = site_index.get(&site_id) else {
            return Err(secl.err(f.fid, format!("site_id {site_id} is not a site of layer cell_sites")));
        };
        let site_name = sites[si].name.clone();
        // The problem names the site too (the message is the input error's, with the site appended).
        let num = |k: &str| {
            secl.req_number(f, k).map_err(|e| match e {
                Error::Input { file, layer, feature, problem } => {
                    Error::Input { file, layer, feature, problem: format!("{problem} (site {site_id} \"{site_name}\")") }
                }
                other => other.context(format!("site {site_id} \"{site_name}\"")),
            })
        };
        let azimuth = match f.text("azimuth_deg").map(|s| s.trim().to_lowercase()) {
            None => None,
            Some(s) if s.is_empty() || s == "omni" => None,
            Some(_) => Some(num("azimuth_deg")?),
        };
        let sector = Sector {
            id: secl.req_number(f, "sector_id")? as i64,
            site_id,
            azimuth_deg: azimuth,
            height_m: num("height_m")?,
            mech_tilt_deg: num("mech_tilt_deg")?,
            elec_tilt_deg: num("elec_tilt_deg")?,
            h_beamwidth_deg: num("h_beamwidth_deg")?,
            v_beamwidth_deg: num("v_beamwidth_deg")?,
            rs_eirp_dbm: num("rs_eirp_dbm")?,
            frequency_mhz: num("frequency_mhz")?,
        };
        if !(0.5..=300.0).contains(&sector.height_m) {
            return Err(secl.err(f.fid, format!("height_m {} out of range 0.5–300 (site {site_id} \"{site_name}\")", sector.height_m)));
        }
        if sector.frequency_mhz <= 0.0 {
            return Err(secl.err(f.fid, format!("frequency_mhz {} is not a frequency (site {site_id} \"{site_name}\")", sector.frequency_mhz)));
        }
        sites[si].sectors.push(sector);
    }
    if let Some(s) = sites.iter().find(|s| s.sectors.is_empty()) {
        return Err(Error::layer(&secl.file, "sectors", format!("site {} \"{}\" has no sectors", s.id, s.name)));
    }

    let rl = read(cfg, dir, "roads", Expect::Line, &[])?;
    let mut roads = Vec::new();
    for f in &rl.features {
        for geom in to_lines(f.geometry.clone()) {
            roads.push(Road {
                id: roads.len() as i64 + 1,
                name: f.text("name").unwrap_or_default(),
                class: f.text("class").unwrap_or_else(|| "road".into()),
                geom,
            });
        }
    }
    let fl = read(cfg, dir, "fiber_routes", Expect::Line, &[])?;
    let mut fiber_routes = Vec::new();
    for f in &fl.features {
        for geom in to_lines(f.geometry.clone()) {
            fiber_routes.push(FiberRoute { id: fiber_routes.len() as i64 + 1, name: f.text("name").unwrap_or_default(), geom });
        }
    }
    let al = read(cfg, dir, "fiber_access_points", Expect::Point, &[])?;
    let fiber_access_points = al
        .features
        .iter()
        .map(|f| FiberAccessPoint {
            id: f.number("id").map(|v| v as i64).unwrap_or(f.fid),
            commune_code: f.text("commune_code").unwrap_or_default(),
            pos: to_point(f.geometry.clone()),
        })
        .collect();

    let mut orchards = Vec::new();
    if let Some(ol) = read_opt(cfg, dir, "orchards", Expect::Polygon, &["crop"])? {
        for f in &ol.features {
            let crop_s = ol.req_text(f, "crop")?;
            let crop = Crop::parse(&crop_s).ok_or_else(|| ol.err(f.fid, format!("crop `{crop_s}` is not mango or longan")))?;
            for poly in to_multipolygon(f.geometry.clone()).0 {
                orchards.push(Orchard {
                    id: f.number("id").map(|v| v as i64).unwrap_or(f.fid),
                    crop,
                    commune_code: f.text("commune_code").unwrap_or_default(),
                    geom: poly,
                });
            }
        }
    }
    let mut rivers = Vec::new();
    if let Some(l) = read_opt(cfg, dir, "rivers", Expect::Line, &[])? {
        for f in &l.features {
            rivers.push(River {
                id: rivers.len() as i64 + 1,
                name: f.text("name").unwrap_or_default(),
                strahler: f.number("strahler").unwrap_or(1.0) as i32,
                geom: MultiLineString(to_lines(f.geometry.clone())),
            });
        }
    }
    let places = |name: &str, kind: &str| -> Result<Vec<Place>> {
        Ok(match read_opt(cfg, dir, name, Expect::Point, &[])? {
            Some(l) => l
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| Place { id: i as i64 + 1, name: f.text("name").unwrap_or_default(), kind: kind.into(), pos: to_point(f.geometry.clone()) })
                .collect(),
            None => vec![],
        })
    };
    let towns = places("towns", "town")?;
    let hydropower = places("hydropower", "hydropower")?;

    let uav_flights = flight_sources(cfg, dir);

    let measurements = match cfg.layers.get(super::measurements::LAYER) {
        Some(src) => {
            let mut ops: Vec<String> = sites.iter().map(|s| s.operator.clone()).collect();
            ops.sort();
            ops.dedup();
            super::measurements::read(dir, src, &cfg.crs, &dem, &ops, 1)?
        }
        None => vec![],
    };

    check_dem_covers(&dem, &province, dir.join(&cfg.dem.file).as_path())?;
    let landcover = match cfg.layers.get(super::landcover::LAYER) {
        Some(src) => Some(std::sync::Arc::new(super::landcover::read(dir, src, &cfg.crs, &dem)?)),
        None => None,
    };

    Ok(Dataset {
        name: cfg.name.clone(),
        crs,
        dem,
        province,
        districts,
        communes,
        hamlets,
        sites,
        roads,
        fiber_routes,
        fiber_access_points,
        orchards,
        rivers,
        towns,
        hydropower,
        uav_flights,
        measurements,
        dem_source,
        landcover,
    })
}

/// The dataset's `[[flights]]` with their image paths resolved against the dataset directory.
pub fn flight_sources(cfg: &DatasetConfig, dir: &Path) -> Vec<UavFlightSource> {
    cfg.flights
        .iter()
        .map(|f| UavFlightSource { id: f.id.clone(), date: f.date.clone(), camera: f.camera.clone(), bands: f.bands.clone(), scale: f.scale, images: f.images.iter().map(|i| dir.join(i)).collect() })
        .collect()
}

/// The DEM must cover the province without nodata holes: checked on a 1 km lattice inside the outline.
fn check_dem_covers(dem: &Grid<f32>, province: &MultiPolygon<f64>, path: &Path) -> Result<()> {
    let Some(bb) = province.bounding_rect() else { return Ok(()) };
    let step = 1000.0;
    let mut holes = 0usize;
    let mut first = None;
    let mut y = bb.min().y + step / 2.0;
    while y < bb.max().y {
        let mut x = bb.min().x + step / 2.0;
        while x < bb.max().x {
            let p = Point::new(x, y);
            if province.contains(&p) {
                let bad = match dem.cell_of(x, y) {
                    None => true,
                    Some((c, r)) => dem.is_nodata(dem.get(c, r)),
                };
                if bad {
                    holes += 1;
                    first.get_or_insert((x, y));
                }
            }
            x += step;
        }
        y += step;
    }
    match first {
        None => Ok(()),
        Some((x, y)) => Err(Error::input(
            path,
            format!("the DEM has nodata (or does not reach) inside the province at {holes} sampled km² points, first at ({x:.0}, {y:.0}); fill the holes (gdal_fillnodata) or extend the DEM"),
        )),
    }
}
