//! Map-label glyphs served by the service itself: the MapLibre "glyphs" protocol
//! (`/fonts/{fontstack}/{start}-{end}.pbf`, ranges of 256 code points, each glyph a signed distance
//! field in the `llmr.glyphs` protobuf). The TrueType fonts are embedded in the binary
//! (`web/fonts/`, Noto Sans, OFL) and rendered on first request, then kept: with no font server
//! on the internet, labels still show Vietnamese correctly ("Mường La", "Sốp Cộp").
//!
//! Rendering follows node-fontnik and Martin, so MapLibre lays our glyphs out exactly like theirs:
//! a 24 px em, a 3 px border around each bitmap, distances recorded out to 8 px, a quarter of the
//! byte range for the inside (`cutoff` 0.25), unhinted outlines. Outlines are rasterized by
//! `ab_glyph` (pure Rust, no FreeType needed), the distance field by `sdf_glyph_renderer`, the
//! protobuf messages are `pbf_font_tools`' types.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use pbf_font_tools::prost::Message;
use pbf_font_tools::{Fontstack, Glyph, Glyphs};
use rayon::prelude::*;
use sdf_glyph_renderer::{clamp_to_u8, BitmapGlyph};

use crate::error::{Error, Result};

/// Em size of the rendered glyphs in pixels (MapLibre scales from 24 px SDFs).
pub const EM_PX: f32 = 24.0;
/// Empty pixels around each glyph bitmap (MapLibre expects exactly 3).
pub const BUFFER: usize = 3;
/// How far from the outline distances are recorded, in pixels.
pub const RADIUS: usize = 8;
/// Share of the byte range given to distances inside the outline.
pub const CUTOFF: f64 = 0.25;
/// Code points per range file.
pub const RANGE_LEN: u32 = 256;

/// A font built into the binary, under the name a style's `text-font` uses.
pub struct EmbeddedFont {
    pub name: &'static str,
    pub bytes: &'static [u8],
}

/// The fonts served. The first is the fallback the web map's style names first in every stack.
pub static FONTS: &[EmbeddedFont] = &[
    EmbeddedFont { name: "Noto Sans Regular", bytes: include_bytes!("../../web/fonts/NotoSans-Regular.ttf") },
    EmbeddedFont { name: "Noto Sans Bold", bytes: include_bytes!("../../web/fonts/NotoSans-Bold.ttf") },
    EmbeddedFont { name: "Noto Sans Italic", bytes: include_bytes!("../../web/fonts/NotoSans-Italic.ttf") },
];

/// Names of the fonts served, for `/fonts` listings.
pub fn font_names() -> Vec<&'static str> {
    FONTS.iter().map(|f| f.name).collect()
}

/// Parse a range like `256-511` (optionally ending in `.pbf`) into its first code point; it must
/// be one of the 256-code-point ranges of the protocol, within the Basic Multilingual Plane.
pub fn parse_range(s: &str) -> Result<u32> {
    let r = s.strip_suffix(".pbf").unwrap_or(s);
    let bad = || Error::param("range", format!("`{s}` is not a glyph range like 0-255.pbf (start a multiple of 256, end = start + 255, at most 65535)"));
    let (a, b) = r.split_once('-').ok_or_else(bad)?;
    let start: u32 = a.parse().map_err(|_| bad())?;
    let end: u32 = b.parse().map_err(|_| bad())?;
    if start % RANGE_LEN != 0 || end != start + RANGE_LEN - 1 || end > 0xFFFF {
        return Err(bad());
    }
    Ok(start)
}

/// One glyph's SDF and metrics in the protocol's conventions (`top` relative to the ascender).
fn render_glyph(font: &FontRef<'_>, scale: PxScale, ascender: i32, code: u32, id: GlyphId) -> Result<Glyph> {
    let scaled = font.as_scaled(scale);
    // Advances are whole pixels in the protocol; FreeType (fontnik, Martin) truncates the unhinted
    // 26.6 value, and so do we, so our labels are spaced exactly like theirs.
    let advance = scaled.h_advance(id).max(0.0).floor() as u32;
    let glyph = id.with_scale_and_position(scale, ab_glyph::point(0.0, 0.0));
    let Some(outlined) = font.outline_glyph(glyph) else {
        // Blank glyphs (space): metrics only, no bitmap.
        return Ok(Glyph { id: code, bitmap: None, width: 0, height: 0, left: 0, top: -ascender, advance });
    };
    let b = outlined.px_bounds();
    let (w, h) = ((b.max.x - b.min.x) as usize, (b.max.y - b.min.y) as usize);
    let mut alpha = vec![0u8; w * h];
    outlined.draw(|x, y, c| {
        let i = y as usize * w + x as usize;
        if i < alpha.len() {
            alpha[i] = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    let bitmap = BitmapGlyph::from_unbuffered(&alpha, w, h, BUFFER)
        .map_err(|e| Error::Codec(format!("glyph U+{code:04X}: {e}")))?;
    let sdf = clamp_to_u8(&bitmap.render_sdf(RADIUS), CUTOFF).map_err(|e| Error::Codec(format!("glyph U+{code:04X}: {e}")))?;
    Ok(Glyph {
        id: code,
        bitmap: Some(sdf),
        width: w as u32,
        height: h as u32,
        left: b.min.x as i32,
        // px_bounds are y-down from the baseline: the bitmap's top edge is -min.y above it.
        top: -(b.min.y as i32) - ascender,
        advance,
    })
}

/// Render the glyphs of one font in `start..start+256` (those the font has), in parallel.
pub fn render_font_range(font: &EmbeddedFont, start: u32) -> Result<Fontstack> {
    let f = FontRef::try_from_slice(font.bytes)
        .map_err(|e| Error::Codec(format!("embedded font `{}` unreadable: {e}", font.name)))?;
    let upem = f.units_per_em().ok_or_else(|| Error::Codec(format!("font `{}` has no units per em", font.name)))?;
    // ab_glyph scales by the ascent-to-descent height; this makes one em EM_PX pixels.
    let scale = PxScale::from(EM_PX * f.height_unscaled() / upem);
    // FreeType rounds the scaled ascender up to whole pixels.
    let ascender = f.as_scaled(scale).ascent().ceil() as i32;
    let codes: Vec<(u32, GlyphId)> = (start..start + RANGE_LEN)
        .filter_map(|c| char::from_u32(c).map(|ch| (c, f.glyph_id(ch))))
        .filter(|(_, id)| id.0 != 0)
        .collect();
    let glyphs = codes
        .par_iter()
        .map(|&(c, id)| render_glyph(&f, scale, ascender, c, id))
        .collect::<Result<Vec<Glyph>>>()?;
    Ok(Fontstack { name: font.name.to_string(), range: range_name(start), glyphs })
}

fn range_name(start: u32) -> String {
    format!("{}-{}", start, start + RANGE_LEN - 1)
}

/// Why a font stack cannot be served.
#[derive(Debug, PartialEq)]
pub enum StackError {
    /// None of the stack's fonts is embedded (HTTP 404).
    UnknownFonts(String),
}

/// Renders and keeps glyph ranges. Cheap to clone; shared by every request.
#[derive(Clone, Default)]
pub struct GlyphCache {
    ranges: Arc<Mutex<HashMap<(usize, u32), Arc<Fontstack>>>>,
}

impl GlyphCache {
    fn font_range(&self, font: usize, start: u32) -> Result<Arc<Fontstack>> {
        if let Some(s) = self.ranges.lock().map_err(|_| Error::Invariant("glyph cache poisoned".into()))?.get(&(font, start)) {
            return Ok(s.clone());
        }
        // Rendered outside the lock: two concurrent first requests may both render, which is
        // harmless (same bytes) and keeps other ranges from waiting.
        let s = Arc::new(render_font_range(&FONTS[font], start)?);
        self.ranges.lock().map_err(|_| Error::Invariant("glyph cache poisoned".into()))?.insert((font, start), s.clone());
        Ok(s)
    }

    /// The protobuf for a comma-separated font stack and a range start. Each glyph comes from the
    /// first font of the stack that has it; names not embedded are skipped as long as one is.
    pub fn stack_pbf(&self, fontstack: &str, start: u32) -> Result<std::result::Result<Vec<u8>, StackError>> {
        let wanted: Vec<usize> = fontstack
            .split(',')
            .map(str::trim)
            .filter_map(|n| FONTS.iter().position(|f| f.name.eq_ignore_ascii_case(n)))
            .collect();
        if wanted.is_empty() {
            return Ok(Err(StackError::UnknownFonts(format!(
                "no font of `{fontstack}` is served; fonts: {}",
                font_names().join(", ")
            ))));
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Fontstack { name: fontstack.to_string(), range: range_name(start), glyphs: Vec::new() };
        for i in wanted {
            for g in &self.font_range(i, start)?.glyphs {
                if seen.insert(g.id) {
                    out.glyphs.push(g.clone());
                }
            }
        }
        out.glyphs.sort_by_key(|g| g.id);
        Ok(Ok(Glyphs { stacks: vec![out] }.encode_to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(stack: &Fontstack, c: char) -> &Glyph {
        stack.glyphs.iter().find(|g| g.id == c as u32).unwrap_or_else(|| panic!("no glyph for {c}"))
    }

    #[test]
    fn ranges_parse_like_the_protocol() {
        assert_eq!(parse_range("0-255.pbf").unwrap(), 0);
        assert_eq!(parse_range("7680-7935").unwrap(), 7680);
        assert!(parse_range("1-256.pbf").is_err());
        assert!(parse_range("0-511.pbf").is_err());
        assert!(parse_range("65536-65791.pbf").is_err());
        assert!(parse_range("a-b.pbf").is_err());
        assert!(parse_range("").is_err());
    }

    /// Every letter of the Vietnamese names in the demo data has a glyph, in the ranges MapLibre
    /// asks for them (Latin-1, Latin Extended-A/B, Latin Extended Additional).
    #[test]
    fn vietnamese_letters_are_all_there() {
        let text = "Mường La Sốp Cộp Thuận Châu Quỳnh Nhai Mộc Châu Yên Châu Phù Yên Bắc Yên Sông Mã Vân Hồ Đ đ Ư ư Ơ ơ Ă ă ẫ ỹ ự";
        let mut by_range: HashMap<u32, Vec<char>> = HashMap::new();
        for c in text.chars() {
            by_range.entry(c as u32 / RANGE_LEN * RANGE_LEN).or_default().push(c);
        }
        for (start, chars) in by_range {
            let s = render_font_range(&FONTS[0], start).unwrap();
            assert_eq!(s.range, range_name(start));
            for c in chars {
                let g = glyph(&s, c);
                if c != ' ' {
                    let bm = g.bitmap.as_ref().unwrap();
                    assert_eq!(bm.len(), (g.width as usize + 2 * BUFFER) * (g.height as usize + 2 * BUFFER), "{c}");
                }
            }
        }
    }

    /// Reference: FreeType 2.12 through Pillow 9.4 (`ImageFont.truetype(NotoSans-Regular.ttf, 24)`,
    /// Debian 12): ascender 26 px; advances 'A' 15, 'g' 15, 'Ư' 19, ' ' 6 px; ink from 17 px
    /// above the baseline for 'A' (bbox y 9..26 under a 26 px ascender), 20 px for 'ố' (6..26),
    /// and 'g' descends 6 px (13..32 → 26-32). Pillow hints, we do not: within 1 px.
    #[test]
    fn metrics_match_freetype() {
        let s0 = render_font_range(&FONTS[0], 0).unwrap();
        let s1 = render_font_range(&FONTS[0], 256).unwrap();
        let s2 = render_font_range(&FONTS[0], 7680).unwrap();
        let near = |a: i64, b: i64, what: &str| assert!((a - b).abs() <= 1, "{what}: {a} vs FreeType {b}");
        near(glyph(&s0, 'A').advance as i64, 15, "A advance");
        near(glyph(&s0, 'g').advance as i64, 15, "g advance");
        near(glyph(&s1, 'Ư').advance as i64, 19, "Ư advance");
        assert_eq!(glyph(&s0, ' ').advance, 6);
        // `top` = ink top above the baseline − ascender (26).
        near(glyph(&s0, 'A').top as i64, 17 - 26, "A top");
        near(glyph(&s2, 'ố').top as i64, 20 - 26, "ố top");
        let g = glyph(&s0, 'g');
        near(g.top as i64 - g.height as i64, -26 - 6, "g bottom");
        assert!(glyph(&s0, 'A').bitmap.is_some() && glyph(&s0, ' ').bitmap.is_none());
    }

    /// The distance field is a field: 191 (= 255·(1−cutoff)) on the outline, higher inside,
    /// falling to 0 at RADIUS pixels outside — so the bitmap's border is 0 and the stem of 'l' is
    /// above the edge value.
    #[test]
    fn distance_field_is_inside_high_outside_low() {
        let s = render_font_range(&FONTS[0], 0).unwrap();
        let g = glyph(&s, 'l');
        let (w, h) = (g.width as usize + 2 * BUFFER, g.height as usize + 2 * BUFFER);
        let bm = g.bitmap.as_ref().unwrap();
        let centre = bm[(h / 2) * w + w / 2];
        assert!(centre > 191, "inside of 'l' = {centre}");
        assert!(bm[0] < 150, "corner = {}", bm[0]);
    }

    #[test]
    fn stacks_resolve_fonts_in_order_and_reject_unknown() {
        let c = GlyphCache::default();
        let bytes = c.stack_pbf("Unknown Font, Noto Sans Bold", 0).unwrap().unwrap();
        let g = Glyphs::decode(bytes.as_slice()).unwrap();
        assert_eq!(g.stacks.len(), 1);
        assert_eq!(g.stacks[0].range, "0-255");
        let bold_a = glyph(&g.stacks[0], 'A').clone();
        let reg = render_font_range(&FONTS[0], 0).unwrap();
        // Bold is wider than Regular: the stack took Bold's 'A'.
        assert!(bold_a.advance >= glyph(&reg, 'A').advance);
        assert_eq!(bold_a, glyph(&render_font_range(&FONTS[1], 0).unwrap(), 'A').clone());
        assert!(matches!(c.stack_pbf("Arial Unicode MS Regular", 0).unwrap(), Err(StackError::UnknownFonts(_))));
        // A range with no glyph in any font is an empty stack, not an error (MapLibre asks for it).
        let empty = Glyphs::decode(c.stack_pbf("Noto Sans Regular", 0xE000).unwrap().unwrap().as_slice()).unwrap();
        assert!(empty.stacks[0].glyphs.is_empty());
    }
}
