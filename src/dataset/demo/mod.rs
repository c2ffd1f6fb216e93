//! The default Sơn La dataset: real public data where it exists (embedded, see data/SOURCES.md) and,
//! where no public source exists, synthesized data shaped by the real data — deterministically from
//! a seed, so the same seed gives byte-identical files.

pub mod communes;
pub mod carve;
pub mod channels;
pub mod dem;
pub mod drive_tests;
pub mod fastscape;
pub mod hamlets;
pub mod noise;
pub mod orchards;
pub mod output;
pub mod real;
pub mod rng;
pub mod roads;
pub mod sites;
pub mod terrain;
pub mod uav_flights;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DEFAULT_SEED: u64 = 20_190_401;
pub const WORKING_CRS: &str = "EPSG:32648";
/// Bumped whenever the synthesis changes, so a stale generated dataset is regenerated.
pub const GENERATOR_VERSION: u32 = 7;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub out: PathBuf,
    pub seed: u64,
    pub resolution_m: f64,
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    // Unchanged files are left alone (keeps mtimes, and committed files are not rewritten).
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    let tmp = crate::grid::io::tmp_path(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The dataset.toml of the default dataset (also committed as data/sonla/dataset.toml).
pub fn dataset_toml(seed: u64, resolution: f64, flights: &[crate::dataset::UavFlightSource]) -> String {
    let mut s = format!(
        r#"# The default Sơn La dataset: real public data (real/, see ../SOURCES.md) and synthesized layers
# (generated/, made by `covermap demo-data`; seed and resolution below). Every path is relative to
# this file. Replace any layer by your own file in any format GDAL/OGR reads; `fields` maps our
# attribute names to yours, `crs` gives a CRS to files that lack one (CSV) or override a wrong one.
name = "sonla"
crs = "{WORKING_CRS}"

[generator]
seed = {seed}
resolution_m = {resolution}
version = {GENERATOR_VERSION}

[dem]
file = "generated/dem.tif"

[layers.province]
file = "real/admin/son_la_province_gisgov_2019.geojson"

[layers.districts]
file = "real/admin/son_la_districts_gisgov_2019.geojson"
fields = {{ code = "gso_district_code", name = "district_name" }}

[layers.communes]
file = "generated/communes.geojson"

[layers.commune_centres]
file = "generated/commune_centres.geojson"

[layers.hamlets]
file = "generated/hamlets.csv"
crs = "EPSG:4326"
open_options = ["X_POSSIBLE_NAMES=lon", "Y_POSSIBLE_NAMES=lat", "KEEP_GEOM_COLUMNS=NO"]

[layers.cell_sites]
file = "generated/cell_sites.geojson"

[layers.sectors]
file = "generated/sectors.csv"

[layers.roads]
file = "generated/roads.geojson"

[layers.fiber_routes]
file = "generated/fiber_routes.geojson"

[layers.fiber_access_points]
file = "generated/fiber_access_points.geojson"

[layers.orchards]
file = "generated/orchards.geojson"

[layers.rivers]
file = "real/hydro/son_la_rivers_gms_adb_strahler.geojson"
fields = {{ strahler = "Strahler", name = "Sub_Name" }}

[layers.towns]
file = "real/places/son_la_geonames_cities500.geojson"

[layers.hydropower]
file = "real/infra/son_la_hydropower_plants_legocity.geojson"
fields = {{ name = "Name" }}

[layers.measurements]
file = "generated/measurements.csv"
crs = "EPSG:4326"
open_options = ["X_POSSIBLE_NAMES=lon", "Y_POSSIBLE_NAMES=lat", "KEEP_GEOM_COLUMNS=NO"]
"#
    );
    for f in flights {
        let images: Vec<String> = f.images.iter().map(|p| format!("{:?}", p.to_string_lossy())).collect();
        s.push_str(&format!(
            "\n[[flights]]\nid = {:?}\ndate = {:?}\ncamera = {:?}\n{}{}images = [{}]\n",
            f.id,
            f.date,
            f.camera,
            f.bands.as_ref().map(|b| format!("bands = {b:?}\n")).unwrap_or_default(),
            f.scale.map(|x| format!("scale = {x}\n")).unwrap_or_default(),
            images.join(", ")
        ));
    }
    s
}

const MARKER: &str = "generated/GENERATED.json";

fn marker_text(opts: &DemoOptions, truth: &drive_tests::Truth) -> String {
    let v = serde_json::json!({
        "seed": opts.seed,
        "resolution_m": opts.resolution_m,
        "generator_version": GENERATOR_VERSION,
        "drive_tests": truth.to_json(),
    });
    format!("{v}\n")
}

/// Whether the marker names these options and this generator.
fn marker_matches(opts: &DemoOptions) -> bool {
    let Some(v) = std::fs::read_to_string(opts.out.join(MARKER)).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) else {
        return false;
    };
    v["seed"].as_u64() == Some(opts.seed) && v["resolution_m"].as_f64() == Some(opts.resolution_m) && v["generator_version"].as_u64() == Some(GENERATOR_VERSION as u64)
}

/// Whether `opts.out` holds a complete dataset generated with these options by this generator.
pub fn is_complete(opts: &DemoOptions) -> bool {
    marker_matches(opts)
        && crate::dataset::DatasetConfig::read(&opts.out)
            .map(|c| c.input_files(&opts.out).iter().all(|f| f.exists()))
            .unwrap_or(false)
}

pub fn generate(opts: &DemoOptions) -> Result<()> {
    // Checked before anything is touched: a bad flag must not invalidate a complete dataset.
    if !(5.0..=1000.0).contains(&opts.resolution_m) {
        return Err(Error::param("resolution", format!("{} m is outside 5–1000 m", opts.resolution_m)));
    }
    // The marker goes last: an interrupted run is regenerated next time.
    let _ = std::fs::remove_file(opts.out.join(MARKER));
    for (p, bytes) in real::FILES {
        write_file(&opts.out.join(p), bytes)?;
    }
    let real = real::load(WORKING_CRS)?;
    let (coarse, _) = crate::grid::io::read_raster_f32(&opts.out.join("real/dem/son_la_altitude_5arcmin_pvlib_mapzen.tif"), 1)?;
    let gen = opts.out.join("generated");
    std::fs::create_dir_all(&gen).map_err(|e| Error::io(&gen, e))?;
    let t0 = std::time::Instant::now();
    let sp = crate::progress::spinner("synthesizing the DEM");
    let dem = dem::synthesize(&real, &coarse, WORKING_CRS, opts.seed, opts.resolution_m)?;
    sp.set_message("writing dem.tif");
    crate::grid::io::write_cog(&dem, &gen.join("dem.tif"), WORKING_CRS)?;
    sp.finish_and_clear();
    eprintln!("demo-data: DEM {}×{} at {} m in {:.1}s", dem.width, dem.height, opts.resolution_m, t0.elapsed().as_secs_f64());
    let flights = synthesize_vectors(opts, &real, &dem, &gen)?;
    write_file(&opts.out.join(crate::dataset::config::DATASET_TOML), dataset_toml(opts.seed, opts.resolution_m, &flights).as_bytes())?;
    // Drive tests last: their truth is the coverage engine's prediction over the dataset as written.
    let t = std::time::Instant::now();
    let sp = crate::progress::spinner("synthesizing drive tests");
    let mut cfg = crate::dataset::DatasetConfig::read(&opts.out)?;
    cfg.layers.remove(crate::dataset::measurements::LAYER);
    let ds = crate::dataset::load::load_with(&cfg, &opts.out)?;
    let params: crate::coverage::CoverageParams = cfg.params("coverage")?;
    let truth = drive_tests::generate(&ds, &params, opts.seed, &gen.join("measurements.csv"))?;
    sp.finish_and_clear();
    eprintln!("demo-data: {} drive-test samples on {} drives in {:.1}s", truth.samples, truth.drives, t.elapsed().as_secs_f64());
    write_file(&opts.out.join(MARKER), marker_text(opts, &truth).as_bytes())?;
    Ok(())
}

/// Returns the UAV flights written (image paths relative to the dataset directory).
fn synthesize_vectors(opts: &DemoOptions, real: &real::Real, dem: &crate::grid::Grid<f32>, gen: &Path) -> Result<Vec<crate::dataset::UavFlightSource>> {
    use serde_json::json;
    let crs = WORKING_CRS;
    let t = std::time::Instant::now();
    let communes = communes::synthesize(real, opts.seed);
    let mut w = output::GeoJsonWriter::new("communes", crs)?;
    let mut wc = output::GeoJsonWriter::new("commune_centres", crs)?;
    for c in &communes {
        let p = output::props(vec![
            ("code", json!(c.code)),
            ("name", json!(c.name)),
            ("district_code", json!(c.district_code)),
            ("population", json!(c.population)),
            ("households", json!(c.households)),
        ]);
        w.add(&c.geom.clone().into(), p)?;
        wc.add(&c.centre.into(), output::props(vec![("code", json!(c.code)), ("name", json!(c.name))]))?;
    }
    w.write(&gen.join("communes.geojson"))?;
    wc.write(&gen.join("commune_centres.geojson"))?;

    let roads = roads::synthesize(real, &communes, dem);
    let mut w = output::GeoJsonWriter::new("roads", crs)?;
    let mut wf = output::GeoJsonWriter::new("fiber_routes", crs)?;
    for (i, r) in roads.iter().enumerate() {
        w.add(&r.geom.clone().into(), output::props(vec![("id", json!(i + 1)), ("name", json!(r.name)), ("class", json!(r.class))]))?;
        // Fiber follows the roads: the backbone along national/provincial roads, feeders to every commune.
        wf.add(&r.geom.clone().into(), output::props(vec![("id", json!(i + 1)), ("name", json!(format!("Cáp quang {}", r.name)))]))?;
    }
    w.write(&gen.join("roads.geojson"))?;
    wf.write(&gen.join("fiber_routes.geojson"))?;

    let river_lines: Vec<geo::LineString<f64>> = real.rivers.iter().flat_map(|r| r.geom.0.clone()).collect();
    let road_lines: Vec<geo::LineString<f64>> = roads.iter().map(|r| r.geom.clone()).collect();
    let river_idx = terrain::LineIndex::new(river_lines.iter(), 100.0);
    let road_idx = terrain::LineIndex::new(road_lines.iter(), 100.0);
    let hamlets = hamlets::synthesize(&communes, dem, &river_idx, &road_idx, opts.seed);
    let to_ll = crate::crs::Transformer::new(crs, "EPSG:4326")?;
    let mut rows = vec![vec!["id".to_string(), "name".into(), "commune_code".into(), "population".into(), "lon".into(), "lat".into()]];
    for (i, h) in hamlets.iter().enumerate() {
        let (lon, lat) = to_ll.convert(h.pos.x(), h.pos.y())?;
        rows.push(vec![(i + 1).to_string(), h.name.clone(), h.commune_code.clone(), h.population.to_string(), format!("{lon:.7}"), format!("{lat:.7}")]);
    }
    output::write_csv(&gen.join("hamlets.csv"), &rows)?;

    // Fiber access points: every commune centre, and the larger hamlets next to a fiber route.
    let mut wa = output::GeoJsonWriter::new("fiber_access_points", crs)?;
    let mut ap = 0;
    for c in &communes {
        ap += 1;
        wa.add(&c.centre.into(), output::props(vec![("id", json!(ap)), ("commune_code", json!(c.code)), ("kind", json!("commune_centre"))]))?;
    }
    for h in &hamlets {
        if h.population >= 500 && road_idx.distance(h.pos) < 400.0 {
            if let Some(p) = road_idx.nearest(h.pos) {
                ap += 1;
                wa.add(&p.into(), output::props(vec![("id", json!(ap)), ("commune_code", json!(h.commune_code)), ("kind", json!("hamlet_cabinet"))]))?;
            }
        }
    }
    wa.write(&gen.join("fiber_access_points.geojson"))?;

    let towns: Vec<geo::Point<f64>> = real.towns.iter().map(|t| t.pos).collect();
    let sites = sites::synthesize(&hamlets, &towns, dem, &road_idx, opts.seed);
    let mut ws = output::GeoJsonWriter::new("cell_sites", crs)?;
    let mut rows = vec![[
        "sector_id", "site_id", "azimuth_deg", "height_m", "mech_tilt_deg", "elec_tilt_deg", "h_beamwidth_deg", "v_beamwidth_deg", "rs_eirp_dbm", "frequency_mhz",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    let mut sector_id = 0;
    for (i, s) in sites.iter().enumerate() {
        let site_id = i + 1;
        ws.add(&s.pos.into(), output::props(vec![("site_id", json!(site_id)), ("operator", json!(s.operator)), ("name", json!(s.name))]))?;
        for x in &s.sectors {
            sector_id += 1;
            rows.push(vec![
                sector_id.to_string(),
                site_id.to_string(),
                x.azimuth_deg.map(|a| format!("{a}")).unwrap_or_else(|| "omni".into()),
                format!("{}", x.height_m),
                format!("{}", x.mech_tilt_deg),
                format!("{}", x.elec_tilt_deg),
                format!("{}", x.h_beamwidth_deg),
                format!("{}", x.v_beamwidth_deg),
                format!("{:.2}", x.rs_eirp_dbm),
                format!("{}", x.frequency_mhz),
            ]);
        }
    }
    ws.write(&gen.join("cell_sites.geojson"))?;
    output::write_csv(&gen.join("sectors.csv"), &rows)?;

    // --- UAV (src/dataset/demo/{orchards,uav_flights}.rs): orchard parcels and two flights over them.
    let to_model_commune = |(i, c): (usize, &communes::SynthCommune)| crate::dataset::Commune {
        id: i as i64 + 1,
        code: c.code.clone(),
        name: c.name.clone(),
        district_code: c.district_code.clone(),
        population: c.population,
        households: c.households,
        geom: c.geom.clone(),
        centre: c.centre,
    };
    let model_communes: Vec<crate::dataset::Commune> = communes.iter().enumerate().map(to_model_commune).collect();
    let model_hamlets: Vec<crate::dataset::Hamlet> = hamlets
        .iter()
        .enumerate()
        .map(|(i, h)| crate::dataset::Hamlet { id: i as i64 + 1, name: h.name.clone(), commune_code: h.commune_code.clone(), population: h.population, pos: h.pos })
        .collect();
    let orchard_list = orchards::generate_orchards(opts.seed, dem, &model_communes, &model_hamlets, crs);
    let mut wo = output::GeoJsonWriter::new("orchards", crs)?;
    for o in &orchard_list {
        wo.add(&o.geom.clone().into(), output::props(vec![("id", json!(o.id)), ("crop", json!(o.crop.as_str())), ("commune_code", json!(o.commune_code))]))?;
    }
    wo.write(&gen.join("orchards.geojson"))?;
    let sp = crate::progress::spinner("synthesizing UAV flights");
    let mut flights = uav_flights::generate_flights(opts.seed, &orchard_list, dem, &gen.join("uav"), crs)?;
    sp.finish_and_clear();
    for f in flights.iter_mut() {
        for p in f.images.iter_mut() {
            *p = p.strip_prefix(&opts.out).map(Path::to_path_buf).unwrap_or_else(|_| p.clone());
        }
    }
    // --- end UAV
    eprintln!(
        "demo-data: {} communes, {} hamlets ({} people), {} roads, {} fiber access points, {} sites / {} sectors in {:.1}s",
        communes.len(),
        hamlets.len(),
        hamlets.iter().map(|h| h.population as u64).sum::<u64>(),
        roads.len(),
        ap,
        sites.len(),
        sector_id,
        t.elapsed().as_secs_f64()
    );
    eprintln!("demo-data: {} orchards, {} UAV flights", orchard_list.len(), flights.len());
    Ok(flights)
}
