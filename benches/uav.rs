//! UAV throughput, in pixels per second (criterion "elements"):
//! - `indices/compute`: the four index formulas on in-memory reflectances;
//! - `indices/file`: an orthomosaic file → four Float32 COGs with overviews (read, compute, write);
//! - `zonal/exact`: exact coverage + weighted statistics of 1 ha parcels on an in-memory raster;
//! - `zonal/file`: the same through `observe_parcels` on a COG (window reads, parallel parcels);
//! - `zonal/tool_mean_count`, `zonal/tool_quantiles`: `covermap zonal`'s `zonal_stats_files` on the
//!   COG and a GeoJSON of the parcels, mean + count (moments streamed, nothing sorted) and with
//!   p10/p50/p90 (values kept and sorted); each also prints its pixels/s per core.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::{MultiPolygon, Polygon};

use covermap::dataset::{Crop, Orchard};
use covermap::grid::GeoTransform;
use covermap::uav::coverage::coverage_fractions;
use covermap::uav::float_raster::{F32CogWriter, F32Raster};
use covermap::uav::index_rasters::write_index_rasters;
use covermap::uav::indices::INDEX_NODATA;
use covermap::uav::ortho::Orthomosaic;
use covermap::uav::parcels::observe_parcels;
use covermap::uav::zonal::{WeightedValues, ZonalStats};
use covermap::uav::zonal_file::{parse_stats, zonal_stats_files};
use covermap::uav::{Band, CameraSetup, UavParams, VegetationIndex};

const CRS: &str = "EPSG:32648";
const T: GeoTransform = GeoTransform { x0: 500_000.0, y0: 2_351_024.0, dx: 0.5, dy: 0.5 };

fn value(c: usize, r: usize, k: usize) -> f32 {
    let h = (c.wrapping_mul(2_654_435_761) ^ r.wrapping_mul(40_503) ^ k.wrapping_mul(97)) % 1000;
    [0.04, 0.08, 0.05, 0.25, 0.45][k] * (0.8 + h as f32 / 2500.0)
}

fn write_image(path: &std::path::Path, n: usize) {
    use gdal::raster::{Buffer, RasterCreationOptions};
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let opts = RasterCreationOptions::from_iter(["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=2"]);
    let mut ds = drv.create_with_band_type_with_options::<u16, _>(path, n, n, 5, &opts).unwrap();
    ds.set_geo_transform(&T.to_gdal()).unwrap();
    ds.set_spatial_ref(&covermap::grid::io::spatial_ref(CRS).unwrap()).unwrap();
    for k in 0..5 {
        let mut b = ds.rasterband(k + 1).unwrap();
        b.set_no_data_value(Some(0.0)).unwrap();
        let data: Vec<u16> = (0..n * n).map(|i| (value(i % n, i / n, k) * 32768.0) as u16).collect();
        b.write((0, 0), (n, n), &mut Buffer::new((n, n), data)).unwrap();
    }
}

fn indices(c: &mut Criterion) {
    let mut g = c.benchmark_group("indices");
    g.sample_size(10);
    let n = 1 << 20;
    let px: Vec<[f32; 5]> = (0..n).map(|i| std::array::from_fn(|k| value(i % 1024, i / 1024, k))).collect();
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("compute", |b| {
        b.iter(|| {
            let mut s = 0f32;
            for r in &px {
                for idx in VegetationIndex::ALL {
                    s += idx.compute(r).unwrap_or(0.0);
                }
            }
            s
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let side = 2048;
    let img = dir.path().join("ortho.tif");
    write_image(&img, side);
    let setup = CameraSetup::new("p4m", None, None).unwrap();
    let ortho = Orthomosaic::open(&[img], &setup, &[Band::Green, Band::Red, Band::RedEdge, Band::Nir]).unwrap();
    g.throughput(Throughput::Elements((side * side) as u64));
    g.bench_with_input(BenchmarkId::new("file", format!("{side}x{side}")), &ortho, |b, o| {
        b.iter(|| write_index_rasters(o, &dir.path().join("out"), &VegetationIndex::ALL, &|_, _| {}).unwrap())
    });
    g.finish();
}

/// `n`×`n` grid of square 1 ha parcels (100 m = 200 px), slightly rotated so every edge cuts pixels.
fn parcels(n: usize) -> Vec<Polygon<f64>> {
    let mut v = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let (cx, cy) = (T.x0 + 60.0 + i as f64 * 120.0, T.y0 - 60.0 - j as f64 * 120.0);
            let a: f64 = 0.1 + 0.01 * (i * n + j) as f64;
            let pts: Vec<(f64, f64)> = [(-50.0, -50.0), (50.0, -50.0), (50.0, 50.0), (-50.0, 50.0), (-50.0, -50.0)]
                .iter()
                .map(|(u, w)| (cx + u * a.cos() - w * a.sin(), cy + u * a.sin() + w * a.cos()))
                .collect();
            v.push(Polygon::new(pts.into(), vec![]));
        }
    }
    v
}

fn zonal(c: &mut Criterion) {
    let mut g = c.benchmark_group("zonal");
    g.sample_size(10);
    let side = 2048;
    let data: Vec<f32> = (0..side * side).map(|i| value(i % side, i / side, 4) - value(i % side, i / side, 2)).collect();
    let polys = parcels(8);
    let cells: u64 = polys.iter().map(|p| coverage_fractions(&MultiPolygon(vec![p.clone()]), &T, side, side).unwrap().frac.len() as u64).sum();
    g.throughput(Throughput::Elements(cells));
    g.bench_function("exact", |b| {
        b.iter(|| {
            use rayon::prelude::*;
            polys
                .par_iter()
                .map(|p| {
                    let cov = coverage_fractions(&MultiPolygon(vec![p.clone()]), &T, side, side).unwrap();
                    let mut vals = Vec::with_capacity(cov.frac.len());
                    for r in cov.row0..cov.row0 + cov.h {
                        vals.extend_from_slice(&data[r * side + cov.col0..r * side + cov.col0 + cov.w]);
                    }
                    let mut wv = WeightedValues::from_window(&vals, &cov);
                    ZonalStats::compute(&mut wv, 0.25, 10_000.0).unwrap().mean
                })
                .sum::<f64>()
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ndvi.tif");
    let wkt = covermap::grid::io::spatial_ref(CRS).unwrap().to_wkt().unwrap();
    let mut w = F32CogWriter::create(&p, side, side, T, &wkt, INDEX_NODATA).unwrap();
    for (x, y, ww, hh) in covermap::uav::ortho::window_grid(side, side, 512) {
        let d: Vec<f32> = (y..y + hh).flat_map(|r| data[r * side + x..r * side + x + ww].to_vec()).collect();
        w.write(x, y, ww, hh, d).unwrap();
    }
    w.finish().unwrap();
    let raster = F32Raster::open(&p).unwrap();
    let orchards: Vec<Orchard> = polys
        .into_iter()
        .enumerate()
        .map(|(i, geom)| Orchard { id: i as i64 + 1, crop: Crop::Mango, commune_code: String::new(), geom })
        .collect();
    let params = UavParams::default();
    g.bench_function("file", |b| b.iter(|| observe_parcels(&raster, None, &orchards, CRS, &params).unwrap().len()));

    let zones = dir.path().join("parcels.geojson");
    let features: Vec<String> = orchards
        .iter()
        .map(|o| {
            let ring: Vec<String> = o.geom.exterior().coords().map(|c| format!("[{},{}]", c.x, c.y)).collect();
            format!(r#"{{"type":"Feature","properties":{{"pid":{}}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#, o.id, ring.join(","))
        })
        .collect();
    let fc = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32648"}}}},"features":[{}]}}"#,
        features.join(",")
    );
    std::fs::write(&zones, fc).unwrap();
    for (name, list) in [("tool_mean_count", "mean,count"), ("tool_quantiles", "mean,count,p10,p50,p90")] {
        let stats = parse_stats(list).unwrap();
        let run = || zonal_stats_files(&p, 1, &zones, &stats).unwrap();
        let t = std::time::Instant::now();
        let px = run().pixels;
        let s = t.elapsed().as_secs_f64();
        let cores = rayon::current_num_threads();
        eprintln!("zonal/{name}: {px} px in {s:.3} s, {:.1} M px/s per core ({cores} cores)", px as f64 / s / 1e6 / cores as f64);
        g.throughput(Throughput::Elements(px));
        g.bench_function(name, |b| b.iter(|| run().zones.len()));
    }
    g.finish();
}

criterion_group!(benches, indices, zonal);
criterion_main!(benches);
