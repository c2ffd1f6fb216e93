//! What `covermap export --format pmtiles|mbtiles|csv --layers a,b --minzoom Z --maxzoom Z --out
//! tiles/NAME.pmtiles` does (`csv`: one vector layer's attribute table, [`super::csv`]) (the CLI's options are `src/cli/export.rs`): cut every tile of the layers' extent at each zoom (vector layers composited into one MVT per tile,
//! or one raster layer as PNG), in parallel, and write them in PMTiles tile-id order into a PMTiles v3
//! or MBTiles archive, with a progress bar. The archive appears under its name only when complete.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::grid::Bounds;
use crate::store::Store;
use crate::tiles::archive::{create_sink, pmtiles::tile_id, ArchiveKind, ArchiveMeta};
use crate::tiles::catalog::{Catalog, Resolved};
use crate::tiles::generalize::GENERALIZE_MAX_ZOOM;
use crate::tiles::tile_id::{mercator_to_lonlat_bounds, tiles_covering, TileId};
use crate::tiles::tilejson::info;

/// The most tiles one export may cut (about 20 GB of typical tiles): beyond, ask for fewer zooms.
pub const MAX_TILES: usize = 5_000_000;
/// Deepest zoom an export accepts.
pub const MAX_EXPORT_ZOOM: u8 = 20;

/// What `--format` writes: a tile archive, or one vector layer's attributes as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Archive(ArchiveKind),
    Csv,
}

impl ExportFormat {
    /// The default output file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Archive(ArchiveKind::Pmtiles) => "pmtiles",
            ExportFormat::Archive(ArchiveKind::Mbtiles) => "mbtiles",
            ExportFormat::Csv => "csv",
        }
    }
}

impl From<ArchiveKind> for ExportFormat {
    fn from(k: ArchiveKind) -> Self {
        ExportFormat::Archive(k)
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s.eq_ignore_ascii_case("csv") {
            return Ok(ExportFormat::Csv);
        }
        s.parse::<ArchiveKind>()
            .map(ExportFormat::Archive)
            .map_err(|_| format!("unknown export format `{s}` (pmtiles, mbtiles or csv)"))
    }
}

/// What to export (the `covermap export` options).
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Results store to read.
    pub store: PathBuf,
    /// Archive format, or CSV.
    pub format: ExportFormat,
    /// Layers to export: vector layers (composited into each tile) or one raster.
    pub layers: Vec<String>,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Output file (default: tiles/<layers joined by '-'>.<format>).
    pub out: Option<PathBuf>,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub out: PathBuf,
    pub tiles_considered: usize,
    pub tiles_written: usize,
    /// Rows of a CSV export (0 for an archive).
    pub rows: usize,
    pub bytes: u64,
    pub seconds: f64,
}

/// Mapbox tilestats of vector layers: geometry family, feature count, attribute names and types.
fn tilestats(resolved: &Resolved) -> serde_json::Value {
    use crate::store::{FieldType, GeomKind};
    let Resolved::Vector(v) = resolved else { return serde_json::Value::Null };
    let layers: Vec<serde_json::Value> = v
        .iter()
        .map(|s| {
            let geometry = match s.kind {
                GeomKind::Point | GeomKind::MultiPoint => "Point",
                GeomKind::LineString | GeomKind::MultiLineString => "LineString",
                GeomKind::Polygon | GeomKind::MultiPolygon => "Polygon",
                GeomKind::None => "Unknown",
            };
            // Numeric attributes carry their range; integer bounds let GDAL type the field Integer.
            let attributes: Vec<serde_json::Value> = s
                .fields
                .iter()
                .enumerate()
                .map(|(k, f)| match f.ty {
                    FieldType::Text => serde_json::json!({"attribute": f.name, "type": "string"}),
                    FieldType::Integer => {
                        let vals = s.values.iter().filter_map(|v| v[k].as_i64());
                        let (lo, hi) = vals.fold((i64::MAX, i64::MIN), |(a, b), v| (a.min(v), b.max(v)));
                        let (lo, hi) = if lo > hi { (0, 0) } else { (lo, hi) };
                        serde_json::json!({"attribute": f.name, "type": "number", "min": lo, "max": hi})
                    }
                    FieldType::Real => {
                        let vals = s.values.iter().filter_map(|v| v[k].as_f64()).filter(|v| v.is_finite());
                        let (lo, hi) = vals.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
                        let (lo, hi) = if lo > hi { (0.0, 0.0) } else { (lo, hi) };
                        serde_json::json!({"attribute": f.name, "type": "number", "min": lo, "max": hi})
                    }
                })
                .collect();
            serde_json::json!({
                "layer": s.id, "count": s.len(), "geometry": geometry,
                "attributeCount": attributes.len(), "attributes": attributes,
            })
        })
        .collect();
    serde_json::json!({"layerCount": layers.len(), "layers": layers})
}

/// Export the layers into an archive; the archive appears under its name only when complete.
/// Errors name the option at fault (`--layers`, `--minzoom`, `--maxzoom`) or the tile.
pub fn run_export(args: &ExportOptions) -> Result<ExportSummary> {
    let t0 = Instant::now();
    if args.minzoom > args.maxzoom {
        return Err(Error::Usage(format!("--minzoom {} is above --maxzoom {}", args.minzoom, args.maxzoom)));
    }
    if args.maxzoom > MAX_EXPORT_ZOOM {
        return Err(Error::Usage(format!("--maxzoom {} is above {MAX_EXPORT_ZOOM}", args.maxzoom)));
    }
    let list = args.layers.iter().map(|s| s.trim()).collect::<Vec<_>>().join(",");
    let out = match &args.out {
        Some(o) => o.clone(),
        None => PathBuf::from("tiles").join(format!(
            "{}.{}",
            args.layers.join("-"),
            args.format.extension()
        )),
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }

    let sp = crate::progress::spinner("opening store");
    let store = Store::open(&args.store)?;
    let cat = Catalog::from_store(store);
    sp.finish_and_clear();
    let resolved = cat.resolve(&list).map_err(|e| Error::Usage(format!("--layers: {e}")))?;
    let kind = match args.format {
        ExportFormat::Archive(kind) => kind,
        ExportFormat::Csv => {
            let (rows, bytes) = super::csv::export_layer(&resolved, &list, &out)?;
            let seconds = t0.elapsed().as_secs_f64();
            eprintln!("export: {} — {rows} rows of {list}, {:.1} MB, {seconds:.1} s", out.display(), bytes as f64 / 1e6);
            return Ok(ExportSummary { out, tiles_considered: 0, tiles_written: 0, rows, bytes, seconds });
        }
    };
    let bounds = match &resolved {
        Resolved::Vector(v) => v.iter().filter_map(|s| s.bounds).reduce(|a, b| Bounds {
            min_x: a.min_x.min(b.min_x),
            min_y: a.min_y.min(b.min_y),
            max_x: a.max_x.max(b.max_x),
            max_y: a.max_y.max(b.max_y),
        }),
        Resolved::Raster(r) => Some(r.bounds),
        Resolved::Archive(_) => return Err(Error::Usage("--layers: archives cannot be exported again".into())),
    }
    .ok_or_else(|| Error::Usage(format!("--layers {list}: no geometry to tile")))?;

    let mut tiles: Vec<TileId> = Vec::new();
    for z in args.minzoom..=args.maxzoom {
        tiles.extend(tiles_covering(&bounds, z));
        if tiles.len() > MAX_TILES {
            return Err(Error::Usage(format!("more than {MAX_TILES} tiles up to zoom {z}: lower --maxzoom")));
        }
    }
    tiles.sort_by_key(|t| tile_id(*t));

    if let Resolved::Vector(v) = &resolved {
        // Generalized levels first (in parallel over zooms), so tile tasks only read them.
        let lo = args.minzoom.saturating_sub(3);
        let hi = args.maxzoom.min(GENERALIZE_MAX_ZOOM);
        v.iter().for_each(|s| s.prepare_levels(lo..=hi));
    }

    let ids: Vec<&str> = list.split(',').collect();
    let infos: Vec<_> = ids.iter().filter_map(|id| cat.get(id).map(|s| info(id, s))).collect();
    let [w, s, e, n] = mercator_to_lonlat_bounds(&bounds);
    let format = resolved.format();
    let meta = ArchiveMeta {
        name: out.file_stem().and_then(|s| s.to_str()).unwrap_or("covermap").to_string(),
        description: format!("covermap export of {list} from {}", args.store.display()),
        attribution: "covermap".into(),
        format,
        minzoom: args.minzoom,
        maxzoom: args.maxzoom,
        bounds: [w, s, e, n],
        center: [(w + e) / 2.0, (s + n) / 2.0, (args.minzoom.max(8)).min(args.maxzoom) as f64],
        vector_layers: if format.is_vector() { infos.iter().flat_map(|i| i.vector_layers.clone()).collect() } else { vec![] },
        tilestats: if format.is_vector() { tilestats(&resolved) } else { serde_json::Value::Null },
    };
    let mut sink = create_sink(kind, &out, &meta)?;
    let pb = crate::progress::bar(tiles.len() as u64, "export tiles");
    let (mut written, mut bytes) = (0usize, 0u64);
    for chunk in tiles.chunks(512) {
        let rendered: Vec<(TileId, crate::Result<Option<Vec<u8>>>)> =
            chunk.par_iter().map(|t| (*t, Catalog::render(&resolved, *t))).collect();
        for (t, r) in rendered {
            if let Some(data) = r.map_err(|e| e.context(format!("tile {t}")))? {
                sink.add(t, &data)?;
                written += 1;
                bytes += data.len() as u64;
            }
        }
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    sink.finish()?;
    let seconds = t0.elapsed().as_secs_f64();
    eprintln!(
        "export: {} — {} of {} tiles non-empty, {:.1} MB before compression, {:.1} s ({:.0} tiles/s)",
        out.display(),
        written,
        tiles.len(),
        bytes as f64 / 1e6,
        seconds,
        tiles.len() as f64 / seconds.max(1e-9)
    );
    Ok(ExportSummary { out, tiles_considered: tiles.len(), tiles_written: written, rows: 0, bytes, seconds })
}
