//! Paths as shown to clients. Stored values and error messages hold absolute paths (a flight's image
//! files, a layer's GeoPackage, an upload's job directory); an unauthenticated reader must learn
//! nothing of the server's file system from them. [`redact_paths`] makes every path in a text
//! relative to the directory holding the store (`sonla.uploads/job-3/image-1.tif`), and any other
//! absolute path just its file name.

use std::path::Path;

/// `text` with every absolute path made relative to `root` (when under it) or cut to its file name.
pub fn redact_paths(text: &str, root: &Path) -> String {
    let mut roots: Vec<String> = vec![root.display().to_string()];
    if let Ok(c) = root.canonicalize() {
        roots.push(c.display().to_string());
    }
    roots.retain(|r| r.starts_with('/') && r.len() > 1);
    roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('/') {
        let before = &rest[..i];
        // A path starts the text or follows a space or opening punctuation; `http://` does not.
        let prev = before.chars().last().or_else(|| out.chars().last());
        let starts_path = prev.is_none_or(|c| c.is_whitespace() || "(\"'`=,;[{".contains(c)) && !rest[i + 1..].starts_with('/');
        if !starts_path {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            continue;
        }
        out.push_str(before);
        let tail = &rest[i..];
        let end = tail.find(|c: char| c.is_whitespace() || ";,)\"'`]}".contains(c)).unwrap_or(tail.len());
        let path = &tail[..end];
        let shown = roots
            .iter()
            .find_map(|r| path.strip_prefix(r.as_str()).and_then(|p| p.strip_prefix('/')))
            .map(str::to_string)
            .unwrap_or_else(|| Path::new(path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
        out.push_str(&shown);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_become_relative_or_names() {
        let root = Path::new("/srv/covermap/out");
        assert_eq!(
            redact_paths("/srv/covermap/out/sonla.uploads/job-3/image-1.tif: not a raster", root),
            "sonla.uploads/job-3/image-1.tif: not a raster"
        );
        assert_eq!(redact_paths("/home/ana/data/uav/a.tif; /home/ana/data/uav/b.tif", root), "a.tif; b.tif");
        assert_eq!(redact_paths("results store /srv/covermap/out/sonla: no manifest", root), "results store sonla: no manifest");
        // Not paths: URLs, ratios, relative paths.
        let plain = "see http://127.0.0.1:8080/tiles/a.json, 3/4 done, uav/2026-04-07/ndvi.tif";
        assert_eq!(redact_paths(plain, root), plain);
    }
}
