//! The default Sơn La dataset: real public data where it exists (embedded, see data/SOURCES.md) and,
//! where no public source exists, synthesized data shaped by the real data — deterministically from
//! a seed, so the same seed gives byte-identical files. With `--region N` ([`region`]) the same
//! generators make N × N province-sized tiles, one seed each, into one larger dataset.

pub mod communes;
pub mod carve;
pub mod channels;
pub mod dem;
pub mod drive_tests;
pub mod fastscape;
pub mod hamlets;
pub mod landcover;
pub mod noise;
pub mod orchards;
pub mod output;
pub mod real;
pub mod region;
pub mod rng;
pub mod roads;
pub mod sites;
pub mod terrain;
pub mod trunks;
pub mod uav_flights;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DEFAULT_SEED: u64 = 20_190_401;
pub const WORKING_CRS: &str = "EPSG:32648";
/// Bumped whenever the synthesis changes, so a stale generated dataset is regenerated.
pub const GENERATOR_VERSION: u32 = 9;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub out: PathBuf,
    pub seed: u64,
    pub resolution_m: f64,
    /// Provinces along each side of a synthetic region ([`region`]); 1 is the province alone, the
    /// default dataset.
    pub region: u32,
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
/// With `region` > 1 it names the region's copies of the real layers under `generated/region/`.
pub fn dataset_toml(seed: u64, resolution: f64, region: u32, flights: &[crate::dataset::UavFlightSource]) -> String {
    let header = if region > 1 {
        format!(
            "# A synthetic region of {region} × {region} provinces, made by `covermap demo-data --region {region}` from the Sơn La\n\
             # generators (src/dataset/demo/region.rs): each province-sized tile is synthesized with its own seed, the\n\
             # real layers are translated with it (generated/region/). Every path is relative to this file.\n"
        )
    } else {
        "# The default Sơn La dataset: real public data (real/, see ../SOURCES.md) and synthesized layers\n\
         # (generated/, made by `covermap demo-data`; seed and resolution below). Every path is relative to\n\
         # this file. Replace any layer by your own file in any format GDAL/OGR reads; `fields` maps our\n\
         # attribute names to yours, `crs` gives a CRS to files that lack one (CSV) or override a wrong one.\n"
            .to_string()
    };
    let real_layer = |path: &str| match region::REAL_LAYERS.iter().find(|(src, _, _)| *src == path) {
        Some((_, name, _)) if region > 1 => format!("generated/region/{name}"),
        _ => path.to_string(),
    };
    let (province, districts) = (real_layer("real/admin/son_la_province_gisgov_2019.geojson"), real_layer("real/admin/son_la_districts_gisgov_2019.geojson"));
    let (rivers, towns) = (real_layer("real/hydro/son_la_rivers_gms_adb_strahler.geojson"), real_layer("real/places/son_la_geonames_cities500.geojson"));
    let hydropower = real_layer("real/infra/son_la_hydropower_plants_legocity.geojson");
    let region_line = if region > 1 { format!("region = {region}\n") } else { String::new() };
    let mut s = format!(
        "{header}name = \"sonla\"\ncrs = \"{WORKING_CRS}\"\n\n[generator]\nseed = {seed}\nresolution_m = {resolution}\nversion = {GENERATOR_VERSION}\n{region_line}\n[dem]\nfile = \"generated/dem.tif\"\n"
    );
    // CSV points carry no CRS and name their coordinate columns.
    let csv_points = "crs = \"EPSG:4326\"\nopen_options = [\"X_POSSIBLE_NAMES=lon\", \"Y_POSSIBLE_NAMES=lat\", \"KEEP_GEOM_COLUMNS=NO\"]\n";
    let generated = |file: &str| format!("generated/{file}");
    // Every layer in file order: name, file, and the lines after `file` (field mapping, CRS, options).
    let layers: [(&str, String, &str); 16] = [
        ("province", province, ""),
        ("districts", districts, "fields = { code = \"gso_district_code\", name = \"district_name\" }\n"),
        ("communes", generated("communes.geojson"), ""),
        ("commune_centres", generated("commune_centres.geojson"), ""),
        ("hamlets", generated("hamlets.csv"), csv_points),
        ("cell_sites", generated("cell_sites.geojson"), ""),
        ("sectors", generated("sectors.csv"), ""),
        ("roads", generated("roads.geojson"), ""),
        ("fiber_routes", generated("fiber_routes.geojson"), ""),
        ("fiber_access_points", generated("fiber_access_points.geojson"), ""),
        ("orchards", generated("orchards.geojson"), ""),
        ("rivers", rivers, "fields = { strahler = \"Strahler\", name = \"Sub_Name\" }\n"),
        ("towns", towns, ""),
        ("hydropower", hydropower, "fields = { name = \"Name\" }\n"),
        ("landcover", generated("landcover.tif"), ""),
        ("measurements", generated("measurements.csv"), csv_points),
    ];
    for (name, file, extra) in layers {
        s.push_str(&format!("\n[layers.{name}]\nfile = \"{file}\"\n{extra}"));
    }
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
    let mut v = serde_json::json!({
        "seed": opts.seed,
        "resolution_m": opts.resolution_m,
        "generator_version": GENERATOR_VERSION,
        "drive_tests": truth.to_json(),
    });
    // Only a region records itself: the default dataset's marker keeps its bytes.
    if opts.region > 1 {
        v["region"] = serde_json::json!(opts.region);
    }
    format!("{v}\n")
}

/// Whether the marker names these options and this generator.
fn marker_matches(opts: &DemoOptions) -> bool {
    let Some(v) = std::fs::read_to_string(opts.out.join(MARKER)).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) else {
        return false;
    };
    v["seed"].as_u64() == Some(opts.seed)
        && v["resolution_m"].as_f64() == Some(opts.resolution_m)
        && v["generator_version"].as_u64() == Some(GENERATOR_VERSION as u64)
        && v["region"].as_u64().unwrap_or(1) == opts.region as u64
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
    let real = real::load(WORKING_CRS)?;
    let (province_t, tile_w, tile_h) = dem::province_grid(&real, opts.resolution_m);
    region::check(opts.region, tile_w, tile_h, opts.resolution_m)?;
    // The marker goes last: an interrupted run is regenerated next time.
    let _ = std::fs::remove_file(opts.out.join(MARKER));
    for (p, bytes) in real::FILES {
        write_file(&opts.out.join(p), bytes)?;
    }
    let (coarse, _) = crate::grid::io::read_raster_f32(&opts.out.join("real/dem/son_la_altitude_5arcmin_pvlib_mapzen.tif"), 1)?;
    let gen = opts.out.join("generated");
    std::fs::create_dir_all(&gen).map_err(|e| Error::io(&gen, e))?;

    // One province-sized tile at a time (the province alone unless --region): its DEM, then the
    // vector layers synthesized on it, then its DEM placed in the region's.
    let tiles = region::tiles(opts.region, opts.seed, tile_w, tile_h, opts.resolution_m);
    let n = opts.region as usize;
    let mut region_dem = (n > 1).then(|| crate::grid::Grid::new(n * tile_w, n * tile_h, province_t, dem::NODATA, Some(dem::NODATA)));
    let mut single_dem = None;
    let mut region_lc = (n > 1).then(|| crate::grid::Grid::new(n * tile_w, n * tile_h, province_t, crate::dataset::landcover::NO_CLASS, Some(crate::dataset::landcover::NO_CLASS)));
    let mut single_lc = None;
    let mut layers = Layers::new(WORKING_CRS)?;
    for tile in &tiles {
        let label = if n > 1 { format!("tile {}/{}: ", tile.index + 1, tiles.len()) } else { String::new() };
        let t0 = std::time::Instant::now();
        let sp = crate::progress::spinner(&format!("{label}synthesizing the DEM"));
        // The terrain is grown where the province is (the real elevation and rivers are its
        // target) and then moved to the tile.
        let mut dem = dem::synthesize(&real, &coarse, WORKING_CRS, tile.seed, opts.resolution_m)?;
        sp.finish_and_clear();
        eprintln!("demo-data: {label}DEM {}×{} at {} m in {:.1}s", dem.width, dem.height, opts.resolution_m, t0.elapsed().as_secs_f64());
        dem.transform.x0 += tile.dx;
        dem.transform.y0 += tile.dy;
        let moved;
        let tile_real = if tile.index == 0 {
            &real
        } else {
            let mut r = real::load(WORKING_CRS)?;
            region::translate(&mut r, tile);
            moved = r;
            &moved
        };
        let lc = synthesize_tile(tile, &label, tile_real, &dem, &mut layers)?;
        match region_lc.as_mut() {
            Some(g) => region::place(g, &lc, tile),
            None => single_lc = Some(lc),
        }
        match region_dem.as_mut() {
            Some(g) => region::place(g, &dem, tile),
            None => single_dem = Some(dem),
        }
    }
    let dem = match region_dem.or(single_dem) {
        Some(d) => d,
        None => return Err(Error::Invariant("demo-data: no tile was synthesized".into())),
    };
    let sp = crate::progress::spinner("writing dem.tif");
    crate::grid::io::write_cog(&dem, &gen.join("dem.tif"), WORKING_CRS)?;
    if let Some(lc) = region_lc.or(single_lc) {
        crate::grid::io::write_cog(&lc, &gen.join("landcover.tif"), WORKING_CRS)?;
    }
    sp.finish_and_clear();
    let flights = layers.finish(opts, &dem, &gen)?;
    drop(dem);
    if n > 1 {
        region::write_real_layers(&tiles, WORKING_CRS, &gen.join("region"))?;
    }
    write_file(&opts.out.join(crate::dataset::config::DATASET_TOML), dataset_toml(opts.seed, opts.resolution_m, opts.region, &flights).as_bytes())?;
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

/// The synthesized layers, gathered tile by tile: ids run on across tiles, codes are made unique
/// by [`region::code`] (unchanged in tile 0, so the province alone is the default dataset).
struct Layers {
    communes: output::GeoJsonWriter,
    centres: output::GeoJsonWriter,
    roads: output::GeoJsonWriter,
    fiber: output::GeoJsonWriter,
    access_points: output::GeoJsonWriter,
    sites: output::GeoJsonWriter,
    hamlet_rows: Vec<Vec<String>>,
    sector_rows: Vec<Vec<String>>,
    orchards: Vec<crate::dataset::Orchard>,
    to_ll: crate::crs::Transformer,
    n_roads: usize,
    n_hamlets: usize,
    n_access_points: usize,
    n_sites: usize,
    n_sectors: usize,
}

impl Layers {
    fn new(crs: &str) -> Result<Self> {
        let header = |cols: &[&str]| vec![cols.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        Ok(Self {
            communes: output::GeoJsonWriter::new("communes", crs)?,
            centres: output::GeoJsonWriter::new("commune_centres", crs)?,
            roads: output::GeoJsonWriter::new("roads", crs)?,
            fiber: output::GeoJsonWriter::new("fiber_routes", crs)?,
            access_points: output::GeoJsonWriter::new("fiber_access_points", crs)?,
            sites: output::GeoJsonWriter::new("cell_sites", crs)?,
            hamlet_rows: header(&["id", "name", "commune_code", "population", "lon", "lat"]),
            sector_rows: header(&[
                "sector_id", "site_id", "azimuth_deg", "height_m", "mech_tilt_deg", "elec_tilt_deg", "h_beamwidth_deg", "v_beamwidth_deg", "rs_eirp_dbm", "frequency_mhz",
            ]),
            orchards: Vec::new(),
            to_ll: crate::crs::Transformer::new(crs, "EPSG:4326")?,
            n_roads: 0,
            n_hamlets: 0,
            n_access_points: 0,
            n_sites: 0,
            n_sectors: 0,
        })
    }

    /// Writes every layer, and the UAV flights over all the orchards (on the whole `dem`).
    /// Returns the flights written (image paths relative to the dataset directory).
    fn finish(self, opts: &DemoOptions, dem: &crate::grid::Grid<f32>, gen: &Path) -> Result<Vec<crate::dataset::UavFlightSource>> {
        use serde_json::json;
        self.communes.write(&gen.join("communes.geojson"))?;
        self.centres.write(&gen.join("commune_centres.geojson"))?;
        self.roads.write(&gen.join("roads.geojson"))?;
        self.fiber.write(&gen.join("fiber_routes.geojson"))?;
        output::write_csv(&gen.join("hamlets.csv"), &self.hamlet_rows)?;
        self.access_points.write(&gen.join("fiber_access_points.geojson"))?;
        self.sites.write(&gen.join("cell_sites.geojson"))?;
        output::write_csv(&gen.join("sectors.csv"), &self.sector_rows)?;
        let mut wo = output::GeoJsonWriter::new("orchards", WORKING_CRS)?;
        for o in &self.orchards {
            wo.add(&o.geom.clone().into(), output::props(vec![("id", json!(o.id)), ("crop", json!(o.crop.as_str())), ("commune_code", json!(o.commune_code))]))?;
        }
        wo.write(&gen.join("orchards.geojson"))?;
        let sp = crate::progress::spinner("synthesizing UAV flights");
        let mut flights = uav_flights::generate_flights(opts.seed, &self.orchards, dem, &gen.join("uav"), WORKING_CRS)?;
        sp.finish_and_clear();
        for f in flights.iter_mut() {
            for p in f.images.iter_mut() {
                *p = p.strip_prefix(&opts.out).map(Path::to_path_buf).unwrap_or_else(|_| p.clone());
            }
        }
        eprintln!("demo-data: {} orchards, {} UAV flights", self.orchards.len(), flights.len());
        Ok(flights)
    }
}

/// Synthesizes one tile's vector layers on its DEM (`dem`, already at the tile's place) from the
/// real data moved there, with the tile's seed, into `layers`.
/// Returns the tile's land cover (ESA WorldCover codes on `dem`'s grid).
fn synthesize_tile(tile: &region::Tile, label: &str, real: &real::Real, dem: &crate::grid::Grid<f32>, layers: &mut Layers) -> Result<crate::grid::Grid<u8>> {
    use serde_json::json;
    let (crs, seed) = (WORKING_CRS, tile.seed);
    let code = |c: &str| region::code(tile, c);
    let t = std::time::Instant::now();
    let communes = communes::synthesize(real, seed);
    for c in &communes {
        let p = output::props(vec![
            ("code", json!(code(&c.code))),
            ("name", json!(c.name)),
            ("district_code", json!(code(&c.district_code))),
            ("population", json!(c.population)),
            ("households", json!(c.households)),
        ]);
        layers.communes.add(&c.geom.clone().into(), p)?;
        layers.centres.add(&c.centre.into(), output::props(vec![("code", json!(code(&c.code))), ("name", json!(c.name))]))?;
    }

    let roads = roads::synthesize(real, &communes, dem);
    for (i, r) in roads.iter().enumerate() {
        let id = layers.n_roads + i + 1;
        layers.roads.add(&r.geom.clone().into(), output::props(vec![("id", json!(id)), ("name", json!(r.name)), ("class", json!(r.class))]))?;
        // Fiber follows the roads: the backbone along national/provincial roads, feeders to every commune.
        layers.fiber.add(&r.geom.clone().into(), output::props(vec![("id", json!(id)), ("name", json!(format!("Cáp quang {}", r.name)))]))?;
    }
    layers.n_roads += roads.len();

    let river_lines: Vec<geo::LineString<f64>> = real.rivers.iter().flat_map(|r| r.geom.0.clone()).collect();
    let road_lines: Vec<geo::LineString<f64>> = roads.iter().map(|r| r.geom.clone()).collect();
    let river_idx = terrain::LineIndex::new(river_lines.iter(), 100.0);
    let road_idx = terrain::LineIndex::new(road_lines.iter(), 100.0);
    let hamlets = hamlets::synthesize(&communes, dem, &river_idx, &road_idx, seed);
    for (i, h) in hamlets.iter().enumerate() {
        let (lon, lat) = layers.to_ll.convert(h.pos.x(), h.pos.y())?;
        let id = layers.n_hamlets + i + 1;
        layers.hamlet_rows.push(vec![id.to_string(), h.name.clone(), code(&h.commune_code), h.population.to_string(), format!("{lon:.7}"), format!("{lat:.7}")]);
    }
    layers.n_hamlets += hamlets.len();

    // Land cover from the terrain, the rivers and the settlements (ESA WorldCover codes).
    let tl = std::time::Instant::now();
    let people: Vec<(geo::Point<f64>, u32)> = hamlets.iter().map(|h| (h.pos, h.population)).collect();
    let lc = landcover::synthesize(dem, real, &people, seed);
    let shares: Vec<String> = crate::dataset::landcover::class_shares(&lc)
        .iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(c, s)| format!("{} {:.1} %", c.key, s * 100.0))
        .collect();
    eprintln!("demo-data: {label}land cover in {:.1}s: {}", tl.elapsed().as_secs_f64(), shares.join(", "));

    // Fiber access points: every commune centre, and the larger hamlets next to a fiber route.
    let ap0 = layers.n_access_points;
    let mut ap = ap0;
    for c in &communes {
        ap += 1;
        layers.access_points.add(&c.centre.into(), output::props(vec![("id", json!(ap)), ("commune_code", json!(code(&c.code))), ("kind", json!("commune_centre"))]))?;
    }
    for h in &hamlets {
        if h.population >= 500 && road_idx.distance(h.pos) < 400.0 {
            if let Some(p) = road_idx.nearest(h.pos) {
                ap += 1;
                layers.access_points.add(&p.into(), output::props(vec![("id", json!(ap)), ("commune_code", json!(code(&h.commune_code))), ("kind", json!("hamlet_cabinet"))]))?;
            }
        }
    }
    layers.n_access_points = ap;

    let towns: Vec<geo::Point<f64>> = real.towns.iter().map(|t| t.pos).collect();
    let sites = sites::synthesize(&hamlets, &towns, dem, &road_idx, seed);
    let sectors0 = layers.n_sectors;
    for (i, s) in sites.iter().enumerate() {
        let site_id = layers.n_sites + i + 1;
        layers.sites.add(&s.pos.into(), output::props(vec![("site_id", json!(site_id)), ("operator", json!(s.operator)), ("name", json!(s.name))]))?;
        for x in &s.sectors {
            layers.n_sectors += 1;
            layers.sector_rows.push(vec![
                layers.n_sectors.to_string(),
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
    layers.n_sites += sites.len();

    // --- UAV (src/dataset/demo/{orchards,uav_flights}.rs): orchard parcels here, the flights over
    // the densest cluster of all tiles in `Layers::finish`. The generators key on the real codes.
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
    let mut orchard_list = orchards::generate_orchards(seed, dem, &model_communes, &model_hamlets, crs);
    let id0 = layers.orchards.len() as i64;
    for o in orchard_list.iter_mut() {
        o.id += id0;
        o.commune_code = code(&o.commune_code);
    }
    let n_orchards = orchard_list.len();
    layers.orchards.extend(orchard_list);
    eprintln!(
        "demo-data: {label}{} communes, {} hamlets ({} people), {} roads, {} fiber access points, {} sites / {} sectors, {} orchards in {:.1}s",
        communes.len(),
        hamlets.len(),
        hamlets.iter().map(|h| h.population as u64).sum::<u64>(),
        roads.len(),
        ap - ap0,
        sites.len(),
        layers.n_sectors - sectors0,
        n_orchards,
        t.elapsed().as_secs_f64()
    );
    Ok(lc)
}
