//! MBTiles 1.3 (SQLite): `metadata(name, value)` and `tiles(zoom_level, tile_column, tile_row,
//! tile_data)` with rows in the TMS scheme (y northwards); MVT tile data gzip-compressed and the layers
//! described in the `json` metadata row, as the specification requires and GDAL's MBTiles driver reads.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{ArchiveMeta, TileSink};
use crate::error::{Error, Result};
use crate::tiles::format::TileFormat;
use crate::tiles::tile_id::TileId;

fn serr(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::input(path, format!("MBTiles: {e}"))
}

pub struct MbtilesSink {
    path: PathBuf,
    tmp: PathBuf,
    conn: Option<Connection>,
    format: TileFormat,
    pending: usize,
}

impl MbtilesSink {
    pub fn create(path: &Path, meta: &ArchiveMeta) -> Result<Self> {
        let tmp = path.with_extension("mbtiles.partial");
        if tmp.exists() {
            std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        let conn = Connection::open(&tmp).map_err(|e| serr(path, e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE UNIQUE INDEX name ON metadata (name);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
             BEGIN;",
        )
        .map_err(|e| serr(path, e))?;
        let [w, s, e, n] = meta.bounds;
        let fmt = meta.format.metadata_name();
        let mut rows = vec![
            ("name", meta.name.clone()),
            ("description", meta.description.clone()),
            ("attribution", meta.attribution.clone()),
            ("format", fmt.to_string()),
            ("type", "overlay".to_string()),
            ("version", "1.3".to_string()),
            ("bounds", format!("{w},{s},{e},{n}")),
            ("center", format!("{},{},{}", meta.center[0], meta.center[1], meta.center[2].round())),
            ("minzoom", meta.minzoom.to_string()),
            ("maxzoom", meta.maxzoom.to_string()),
        ];
        if meta.format.is_vector() {
            rows.push(("json", serde_json::json!({"vector_layers": meta.vector_layers, "tilestats": meta.tilestats}).to_string()));
        }
        for (k, v) in rows {
            conn.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", params![k, v])
                .map_err(|e| serr(path, e))?;
        }
        Ok(Self { path: path.to_path_buf(), tmp, conn: Some(conn), format: meta.format, pending: 0 })
    }
}

impl TileSink for MbtilesSink {
    fn add(&mut self, tile: TileId, data: &[u8]) -> Result<()> {
        let conn = self.conn.as_ref().ok_or_else(|| serr(&self.path, "writer already finished"))?;
        let blob = if self.format.compressible() { super::gzip(data)? } else { data.to_vec() };
        conn.execute(
            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)",
            params![tile.z, tile.x, tile.tms_y(), blob],
        )
        .map_err(|e| serr(&self.path, e))?;
        self.pending += 1;
        // Commit in batches so a long export does not hold one huge transaction.
        if self.pending >= 5000 {
            conn.execute_batch("COMMIT; BEGIN;").map_err(|e| serr(&self.path, e))?;
            self.pending = 0;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let conn = self.conn.take().ok_or_else(|| serr(&self.path, "writer already finished"))?;
        conn.execute_batch("COMMIT; ANALYZE;").map_err(|e| serr(&self.path, e))?;
        conn.close().map_err(|(_, e)| serr(&self.path, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for MbtilesSink {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            drop(c);
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub struct MbtilesReader {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl MbtilesReader {
    pub fn open(path: &Path) -> Result<(Self, ArchiveMeta)> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| serr(path, e))?;
        let get = |k: &str| -> Result<Option<String>> {
            conn.query_row("SELECT value FROM metadata WHERE name = ?1", [k], |r| r.get::<_, String>(0))
                .optional()
                .map_err(|e| serr(path, e))
        };
        let format = match get("format")?.as_deref() {
            Some(name) => TileFormat::from_metadata_name(name)
                .ok_or_else(|| serr(path, format!("tile format `{name}` is not served (pbf or png)")))?,
            None => return Err(serr(path, "metadata has no `format`")),
        };
        let nums = |s: Option<String>| -> Vec<f64> {
            s.map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect()).unwrap_or_default()
        };
        let b = nums(get("bounds")?);
        let bounds = if b.len() == 4 { [b[0], b[1], b[2], b[3]] } else { [-180.0, -85.051_128_78, 180.0, 85.051_128_78] };
        let c = nums(get("center")?);
        let zoom = |k: &str, d: u8| -> Result<u8> { Ok(get(k)?.and_then(|v| v.trim().parse().ok()).unwrap_or(d)) };
        let (minzoom, maxzoom) = (zoom("minzoom", 0)?, zoom("maxzoom", 14)?);
        let center = if c.len() == 3 {
            [c[0], c[1], c[2]]
        } else {
            [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, minzoom as f64]
        };
        let json: serde_json::Value =
            get("json")?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(serde_json::Value::Null);
        let meta = ArchiveMeta {
            name: get("name")?.unwrap_or_default(),
            description: get("description")?.unwrap_or_default(),
            attribution: get("attribution")?.unwrap_or_default(),
            format,
            minzoom,
            maxzoom,
            bounds,
            center,
            vector_layers: json.get("vector_layers").and_then(|v| v.as_array()).cloned().unwrap_or_default(),
            tilestats: json.get("tilestats").cloned().unwrap_or(serde_json::Value::Null),
        };
        Ok((Self { path: path.to_path_buf(), conn: Arc::new(Mutex::new(conn)) }, meta))
    }

    pub fn tile_blocking(conn: &Mutex<Connection>, path: &Path, t: TileId) -> Result<Option<Vec<u8>>> {
        let conn = conn.lock().map_err(|_| serr(path, "connection lock poisoned"))?;
        let blob: Option<Vec<u8>> = conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                params![t.z, t.x, t.tms_y()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| serr(path, e))?;
        blob.map(|b| super::maybe_gunzip(&b)).transpose()
    }

    pub async fn tile(&self, t: TileId) -> Result<Option<Vec<u8>>> {
        let (conn, path) = (self.conn.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || Self::tile_blocking(&conn, &path, t))
            .await
            .map_err(|e| serr(&self.path, e))?
    }
}
