//! A shard's network-quality partial result: per operator, each carrier's N strongest sectors of the
//! shard's sites at every cell (the [`TopNGrid`] the one-machine sweep would keep for those sites),
//! in `coverage/topn_<operator>.bin`. The merge folds the shards' lists ([`crate::coverage::quality::topn::fold`])
//! block by block and hands them to the quality pass ([`ShardLists`], a [`CarrierLists`]).
//!
//! Format (little-endian): the magic `CMTOPN01`; a `u32` header length; the header as JSON
//! ([`Header`]: grid size, N, sector count, carriers, rows per block and each block's offset, sizes
//! and checksum); the header's XXH3-64 (`u64`); then the blocks, each zstd-compressed. A block holds
//! one carrier's lists for [`BLOCK_ROWS`] rows of the DEM, as planes that compress well because most
//! cells hear few sectors and neighbours hear the same ones: one count byte per cell (0 to N), then
//! for every entry (cell by cell, strongest first) the change of its quantized RSRP and of its sector
//! index from the previous entry in the same slot, zigzag-coded, as four byte planes (RSRP low, high;
//! sector low, high). Each block carries its own XXH3-64, so a damaged or truncated file is named
//! before its values are used.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::coverage::quality::pass::{CarrierLists, OperatorPass};
use crate::coverage::quality::topn::{insert, TopNGrid};
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"CMTOPN01";
/// Rows of the DEM per block: a block's lists are 64 × width × N × 4 bytes when decoded (6.8 MB for
/// the 6,600-column Sơn La DEM at N = 4), the unit the merge folds in parallel.
pub const BLOCK_ROWS: usize = 64;
/// zstd level: 3 is zstd's default; higher levels gained little on these planes for much more time.
const LEVEL: i32 = 3;

/// Where one block is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Offset from the first byte after the header's checksum.
    pub offset: u64,
    pub compressed: u64,
    pub raw: u64,
    /// XXH3-64 of the compressed bytes.
    pub xxh3: u64,
}

/// What a partial file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub width: usize,
    pub height: usize,
    /// N, entries per cell.
    pub servers: usize,
    /// Sectors the operator's pass numbered (over all its sites, not only the shard's).
    pub sectors: usize,
    /// The carriers (MHz), in the pass's order.
    pub carriers_mhz: Vec<f64>,
    pub block_rows: usize,
    /// Per carrier, per block of rows.
    pub blocks: Vec<Vec<BlockRef>>,
}

fn zigzag(d: u16) -> u16 {
    let d = d as i16;
    ((d << 1) ^ (d >> 15)) as u16
}

fn unzigzag(z: u16) -> u16 {
    ((z >> 1) as i16 ^ -((z & 1) as i16)) as u16
}

/// Encode the lists of cells `c0 .. c0 + cells` of `top` (the raw planes, before compression).
fn encode(top: &TopNGrid, c0: usize, cells: usize) -> Vec<u8> {
    let n = top.n();
    let mut counts = Vec::with_capacity(cells);
    let mut entries: Vec<(u16, u16)> = Vec::new();
    let mut prev = vec![(0u16, 0u16); n];
    let mut l = vec![0u32; n];
    for i in c0..c0 + cells {
        top.list(i, &mut l);
        let k = l.iter().take_while(|e| **e != 0).count();
        counts.push(k as u8);
        for (slot, e) in l[..k].iter().enumerate() {
            let (q, s) = ((e >> 16) as u16, (e & 0xFFFF) as u16);
            entries.push((zigzag(q.wrapping_sub(prev[slot].0)), zigzag(s.wrapping_sub(prev[slot].1))));
            prev[slot] = (q, s);
        }
    }
    let mut out = counts;
    out.reserve(entries.len() * 4);
    for plane in 0..4 {
        out.extend(entries.iter().map(|(q, s)| match plane {
            0 => *q as u8,
            1 => (*q >> 8) as u8,
            2 => *s as u8,
            _ => (*s >> 8) as u8,
        }));
    }
    out
}

/// Decode a block's planes, folding each cell's entries into `out` (N per cell).
fn decode_into(raw: &[u8], n: usize, cells: usize, out: &mut [u32]) -> std::result::Result<(), String> {
    if raw.len() < cells {
        return Err(format!("block of {} bytes is shorter than its {cells} counts", raw.len()));
    }
    let (counts, planes) = raw.split_at(cells);
    if let Some(c) = counts.iter().find(|c| **c as usize > n) {
        return Err(format!("a cell has {c} entries, the file keeps at most {n}"));
    }
    let m: usize = counts.iter().map(|c| *c as usize).sum();
    if planes.len() != 4 * m {
        return Err(format!("{} bytes of entries for {m} entries (want {})", planes.len(), 4 * m));
    }
    let (ql, rest) = planes.split_at(m);
    let (qh, rest) = rest.split_at(m);
    let (sl, sh) = rest.split_at(m);
    let mut prev = vec![(0u16, 0u16); n];
    let mut k = 0;
    for (cell, &c) in counts.iter().enumerate() {
        let list = &mut out[cell * n..(cell + 1) * n];
        for p in prev.iter_mut().take(c as usize) {
            let q = p.0.wrapping_add(unzigzag(ql[k] as u16 | (qh[k] as u16) << 8));
            let s = p.1.wrapping_add(unzigzag(sl[k] as u16 | (sh[k] as u16) << 8));
            *p = (q, s);
            k += 1;
            if q == 0 {
                return Err(format!("cell {cell} has an empty entry among its {c}"));
            }
            insert(list, (q as u32) << 16 | s as u32);
        }
    }
    Ok(())
}

/// Builds one operator's partial file, a carrier at a time (each carrier's grid can be dropped as
/// soon as it is added).
pub struct Writer {
    header: Header,
    data: Vec<Vec<u8>>,
    next: u64,
}

impl Writer {
    pub fn new(pass: &OperatorPass<'_>, width: usize, height: usize) -> Self {
        Writer {
            header: Header {
                width,
                height,
                servers: pass.servers(),
                sectors: pass.sector_count(),
                carriers_mhz: Vec::new(),
                block_rows: BLOCK_ROWS,
                blocks: Vec::new(),
            },
            data: Vec::new(),
            next: 0,
        }
    }

    /// Add carrier `f_mhz`'s grid (the carriers in the pass's order); blocks compressed in parallel.
    pub fn add(&mut self, f_mhz: f64, top: &TopNGrid) -> Result<()> {
        let (w, h) = (self.header.width, self.header.height);
        let blocks: Vec<(Vec<u8>, u64)> = (0..h.div_ceil(BLOCK_ROWS))
            .into_par_iter()
            .map(|b| {
                let rows = BLOCK_ROWS.min(h - b * BLOCK_ROWS);
                let raw = encode(top, b * BLOCK_ROWS * w, rows * w);
                let z = zstd::bulk::compress(&raw, LEVEL).map_err(|e| Error::Codec(format!("zstd: {e}")))?;
                Ok((z, raw.len() as u64))
            })
            .collect::<Result<_>>()?;
        let mut refs = Vec::with_capacity(blocks.len());
        for (z, raw) in blocks {
            refs.push(BlockRef { offset: self.next, compressed: z.len() as u64, raw, xxh3: twox_hash::XxHash3_64::oneshot(&z) });
            self.next += z.len() as u64;
            self.data.push(z);
        }
        self.header.carriers_mhz.push(f_mhz);
        self.header.blocks.push(refs);
        Ok(())
    }

    /// Write the file; returns its size in bytes.
    pub fn write(self, path: &Path) -> Result<u64> {
        use std::io::Write;
        let json = serde_json::to_vec(&self.header).map_err(|e| Error::Codec(e.to_string()))?;
        let mut f = std::io::BufWriter::new(File::create(path).map_err(|e| Error::io(path, e))?);
        let mut put = |b: &[u8]| f.write_all(b).map_err(|e| Error::io(path, e));
        put(MAGIC)?;
        put(&(json.len() as u32).to_le_bytes())?;
        put(&json)?;
        put(&twox_hash::XxHash3_64::oneshot(&json).to_le_bytes())?;
        for z in &self.data {
            put(z)?;
        }
        f.flush().map_err(|e| Error::io(path, e))?;
        Ok(8 + 4 + json.len() as u64 + 8 + self.next)
    }
}

/// One opened partial file.
struct Part {
    path: PathBuf,
    file: File,
    header: Header,
    /// Offset of the first block.
    base: u64,
}

impl Part {
    fn open(path: &Path) -> Result<Part> {
        let bad = |p: String| Error::input(path, format!("not a valid top-N partial result: {p}"));
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, 0).map_err(|_| bad("shorter than its 12-byte preamble".into()))?;
        if &head[..8] != MAGIC {
            return Err(bad(format!("magic {:?}, want {:?}", String::from_utf8_lossy(&head[..8]), std::str::from_utf8(MAGIC).unwrap_or(""))));
        }
        let len = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
        let mut json = vec![0u8; len + 8];
        file.read_exact_at(&mut json, 12).map_err(|_| bad(format!("truncated in its {len}-byte header")))?;
        let sum = u64::from_le_bytes(json[len..].try_into().expect("8 bytes"));
        json.truncate(len);
        if twox_hash::XxHash3_64::oneshot(&json) != sum {
            return Err(bad("header checksum mismatch".into()));
        }
        let header: Header = serde_json::from_slice(&json).map_err(|e| bad(format!("header: {e}")))?;
        Ok(Part { path: path.to_path_buf(), file, header, base: 12 + len as u64 + 8 })
    }
}

/// The shards' partial files of one operator, folded block by block for the quality pass.
pub struct ShardLists {
    parts: Vec<Part>,
    width: usize,
    n: usize,
}

impl ShardLists {
    /// Open the partial files at `paths` and check they were made for `pass` on a `width × height` grid.
    pub fn open(paths: &[PathBuf], pass: &OperatorPass<'_>, width: usize, height: usize) -> Result<ShardLists> {
        let carriers: Vec<f64> = pass.carriers().iter().map(|c| c.0).collect();
        let blocks = height.div_ceil(BLOCK_ROWS);
        let mut parts = Vec::with_capacity(paths.len());
        for p in paths {
            let part = Part::open(p)?;
            let h = &part.header;
            let want = (width, height, pass.servers(), pass.sector_count(), &carriers, BLOCK_ROWS);
            let got = (h.width, h.height, h.servers, h.sectors, &h.carriers_mhz, h.block_rows);
            if got != want {
                return Err(Error::input(
                    p,
                    format!("made for (width, height, N, sectors, carriers MHz, rows per block) = {got:?}, the merge needs {want:?}"),
                ));
            }
            if h.blocks.len() != carriers.len() || h.blocks.iter().any(|b| b.len() != blocks) {
                return Err(Error::input(p, format!("the index does not list {blocks} blocks for each of {} carriers", carriers.len())));
            }
            parts.push(part);
        }
        Ok(ShardLists { parts, width, n: pass.servers() })
    }
}

impl CarrierLists for ShardLists {
    fn block_rows(&self) -> usize {
        BLOCK_ROWS
    }

    fn block(&self, carrier: usize, r0: usize, rows: usize, out: &mut [u32]) -> Result<()> {
        let b = r0 / BLOCK_ROWS;
        let cells = rows * self.width;
        for p in &self.parts {
            let r = p.header.blocks[carrier][b];
            let bad = |what: String| Error::input(&p.path, format!("carrier {} MHz, rows {r0}–{}: {what}", p.header.carriers_mhz[carrier], r0 + rows - 1));
            let mut z = vec![0u8; r.compressed as usize];
            p.file.read_exact_at(&mut z, p.base + r.offset).map_err(|e| bad(format!("cannot read the block ({e}): truncated?")))?;
            if twox_hash::XxHash3_64::oneshot(&z) != r.xxh3 {
                return Err(bad("block checksum mismatch".into()));
            }
            let raw = zstd::bulk::decompress(&z, r.raw as usize).map_err(|e| bad(format!("zstd: {e}")))?;
            decode_into(&raw, self.n, cells, out).map_err(bad)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::quality::topn::pack;

    #[test]
    fn zigzag_round_trips_every_u16() {
        for d in 0..=u16::MAX {
            assert_eq!(unzigzag(zigzag(d)), d);
        }
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(u16::MAX), 1, "−1 → 1");
    }

    #[test]
    fn blocks_round_trip_and_fold() {
        // 150 × 130 cells (3 blocks, the last short), N = 3, cells with 0 to 5 offers; written as two
        // "shards" with disjoint sectors, read back and folded = one grid with every offer.
        let (w, h, n) = (150usize, 130usize, 3usize);
        let one = TopNGrid::new(w * h, n);
        let parts = [TopNGrid::new(w * h, n), TopNGrid::new(w * h, n)];
        for i in 0..w * h {
            for k in 0..(i * 7 % 6) {
                let sector = ((i / w) % 50 * 2 + k * 100 + i % 2) as u16;
                let e = pack(-120.0 + ((i * 13 + k * 31) % 900) as f32 * 0.1, sector);
                one.offer(i, e);
                parts[k % 2].offer(i, e);
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        let q = crate::coverage::quality::QualityParams { servers: n, ..Default::default() };
        let pass = OperatorPass::new(&[], &q, "test").unwrap();
        let paths: Vec<PathBuf> = parts
            .iter()
            .enumerate()
            .map(|(s, g)| {
                let mut wr = Writer::new(&pass, w, h);
                wr.add(1800.0, g).unwrap();
                let p = tmp.path().join(format!("topn_{s}.bin"));
                let bytes = wr.write(&p).unwrap();
                assert_eq!(bytes, std::fs::metadata(&p).unwrap().len());
                p
            })
            .collect();
        // The reader checks the file against the pass it is folded for: here, one carrier.
        let mut lists = ShardLists { parts: paths.iter().map(|p| Part::open(p).unwrap()).collect(), width: w, n };
        let mut want = vec![0u32; n];
        for b in 0..h.div_ceil(BLOCK_ROWS) {
            let rows = BLOCK_ROWS.min(h - b * BLOCK_ROWS);
            let mut out = vec![0u32; rows * w * n];
            lists.block(0, b * BLOCK_ROWS, rows, &mut out).unwrap();
            for j in 0..rows * w {
                one.list(b * BLOCK_ROWS * w + j, &mut want);
                assert_eq!(&out[j * n..(j + 1) * n], &want[..], "cell {}", b * BLOCK_ROWS * w + j);
            }
        }
        // A flipped byte in a block is named, not folded.
        let mut bytes = std::fs::read(&paths[1]).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x40;
        std::fs::write(&paths[1], &bytes).unwrap();
        lists.parts[1] = Part::open(&paths[1]).unwrap();
        let mut out = vec![0u32; BLOCK_ROWS * w * n];
        let e = (0..3).find_map(|b| {
            let rows = BLOCK_ROWS.min(h - b * BLOCK_ROWS);
            lists.block(0, b * BLOCK_ROWS, rows, &mut out[..rows * w * n]).err()
        });
        let e = e.expect("a damaged block is refused").to_string();
        assert!(e.contains("topn_1.bin") && e.contains("checksum"), "{e}");
        // And a damaged header.
        bytes[20] ^= 0x01;
        std::fs::write(&paths[1], &bytes).unwrap();
        let e = Part::open(&paths[1]).err().expect("a damaged header is refused").to_string();
        assert!(e.contains("topn_1.bin") && e.contains("header"), "{e}");
    }
}
