//! The UAV stage of `covermap build`: every flight listed by the dataset, in date order → index
//! rasters `uav/<flight-id>/{ndvi,ndre,gndvi,savi}.tif`, change rasters `uav/<flight-id>/ndvi_change.tif`,
//! and the `orchard_health` and `uav_flights` layers (written even when there is no flight, so the
//! API always finds them).

use std::time::Instant;

use super::camera::CameraSetup;
use super::flight::{process_flight, EarlierFlight, FlightSpec};
use super::layers::{flights_layer, health_layer};
use super::params::UavParams;
use super::records::{relink, FlightRecord, HealthRecord};
use crate::dataset::{Dataset, UavFlightSource};
use crate::error::{Error, Result};
use crate::store::Sink;

#[derive(Debug, Clone)]
pub struct UavOutput {
    pub flights: Vec<FlightRecord>,
    pub rows: Vec<HealthRecord>,
    /// Orthomosaic pixels processed.
    pub pixels: u64,
    pub seconds: f64,
}

/// Check the dataset's flights before any long stage runs: id, date, camera and band mapping, every
/// image readable with the bands the mapping needs, a CRS and georeferencing, and the `[uav]` size
/// limits and disk margin (headers only; no pixel is read). `scratch` is where the store is written.
pub fn check_sources(flights: &[UavFlightSource], params: &UavParams, scratch: &std::path::Path) -> Result<()> {
    params.validate()?;
    let mut needed: Vec<super::camera::Band> = super::indices::VegetationIndex::ALL.iter().flat_map(|i| i.bands().iter().copied()).collect();
    needed.sort();
    needed.dedup();
    let named = |id: &str, e: Error| match e {
        Error::Param { problem, .. } => Error::param(format!("flights.{id}"), problem),
        other => other,
    };
    for src in flights {
        super::flight::check_id(&src.id).map_err(|e| named(&src.id, e))?;
        super::flight::check_date(&src.date).map_err(|e| named(&src.id, e))?;
        let setup = CameraSetup::new(&src.camera, src.bands.as_deref(), src.scale).map_err(|e| named(&src.id, e))?;
        drop(super::ortho::Orthomosaic::open(&src.images, &setup, &needed).map_err(|e| named(&src.id, e))?);
        super::limits::check_flight(&src.images, params, scratch)?;
    }
    Ok(())
}

/// Process every flight of `ds` into `sink`, whose directory receives the rasters (written by windows,
/// never whole in memory).
pub fn run(ds: &Dataset, params: &UavParams, sink: &mut dyn Sink) -> Result<UavOutput> {
    let t0 = Instant::now();
    params.validate()?;
    let mut sources: Vec<&UavFlightSource> = ds.uav_flights.iter().collect();
    sources.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
    for w in sources.windows(2) {
        if w[0].id == w[1].id {
            return Err(Error::param("uav_flights", format!("flight id `{}` is listed twice", w[0].id)));
        }
    }
    let root = sink
        .files_dir()
        .ok_or_else(|| Error::Usage("the UAV stage writes its rasters as files: it needs a sink with a directory".into()))?
        .to_path_buf();
    let (mut flights, mut rows, mut earlier) = (Vec::new(), Vec::new(), Vec::<EarlierFlight>::new());
    let mut pixels = 0u64;
    for src in sources {
        let setup = CameraSetup::new(&src.camera, src.bands.as_deref(), src.scale)
            .map_err(|e| Error::param(format!("flights.{}", src.id), e.to_string()))?;
        let spec = FlightSpec { id: src.id.clone(), date: src.date.clone(), images: src.images.clone(), setup };
        let bar = crate::progress::bar(1, &format!("uav {}", src.id));
        let progress = |step: &str, done: u64, total: u64| {
            if step == "indices" {
                bar.set_length(total);
                bar.set_position(done);
            }
        };
        let out = process_flight(&spec, &ds.orchards, &ds.crs, &root, &earlier, params, &progress)?;
        bar.finish_and_clear();
        eprintln!(
            "  uav {}: {} parcels, {:.1} M px; indices {:.2} s ({:.1} M px/s), parcels {:.2} s, change {:.2} s",
            src.id,
            out.rows.len(),
            out.pixels as f64 / 1e6,
            out.index_seconds,
            out.pixels as f64 / 1e6 / out.index_seconds.max(1e-9),
            out.zonal_seconds,
            out.change_seconds
        );
        for (r, style) in &out.rasters {
            sink.register_raster(r, *style);
        }
        pixels += out.pixels;
        earlier.push(EarlierFlight { record: out.record.clone(), ndvi: root.join(format!("uav/{}/ndvi.tif", src.id)) });
        flights.push(out.record);
        rows.extend(out.rows);
    }
    relink(&mut rows);
    sink.layer(&health_layer(&rows, &ds.crs))?;
    sink.layer(&flights_layer(&flights, &rows, &ds.crs))?;
    Ok(UavOutput { flights, rows, pixels, seconds: t0.elapsed().as_secs_f64() })
}
