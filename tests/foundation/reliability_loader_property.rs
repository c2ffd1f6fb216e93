//! Issue 13, property test of the dataset loader: attributes of communes (GeoJSON) and hamlets (CSV)
//! randomly removed, nulled, garbled, made negative or set to a new valid value. Whatever the
//! mutation, `dataset::load` either fails with one error naming the file, the layer, the feature
//! and the attribute, or loads the exact value written — never a silent 0 or a clamped value.
//! A small SplitMix64 generator keeps every case reproducible from its seed.

use super::common;

use std::path::Path;

use common::*;

/// The library's SplitMix64 with the draw these cases were written for.
struct SplitMix64(covermap::dataset::demo::rng::Rng);

impl SplitMix64 {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
}

/// What happens to one attribute.
#[derive(Debug, Clone, Copy)]
enum Mutation {
    Remove,
    Null,
    Garble,
    Negative,
    Valid(u32),
}

impl Mutation {
    /// The family's name, for the check that every family was drawn.
    fn family(self) -> &'static str {
        match self {
            Mutation::Remove => "remove",
            Mutation::Null => "null",
            Mutation::Garble => "garble",
            Mutation::Negative => "negative",
            Mutation::Valid(_) => "valid",
        }
    }

    fn draw(rng: &mut SplitMix64) -> Self {
        match rng.below(5) {
            0 => Mutation::Remove,
            1 => Mutation::Null,
            2 => Mutation::Garble,
            3 => Mutation::Negative,
            _ => Mutation::Valid(rng.below(50_000) as u32),
        }
    }
}

/// Apply `m` to commune `index`'s `key` in communes.geojson.
fn mutate_commune(data: &Path, index: usize, key: &str, m: Mutation) {
    let path = data.join("generated/communes.geojson");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let props = v["features"][index]["properties"].as_object_mut().unwrap();
    match m {
        Mutation::Remove => drop(props.remove(key)),
        Mutation::Null => drop(props.insert(key.into(), serde_json::Value::Null)),
        Mutation::Garble => drop(props.insert(key.into(), serde_json::json!("12 people"))),
        Mutation::Negative => drop(props.insert(key.into(), serde_json::json!(-7))),
        Mutation::Valid(x) => drop(props.insert(key.into(), serde_json::json!(x))),
    }
    std::fs::write(&path, v.to_string()).unwrap();
}

/// Apply `m` to the population of hamlet row `row` (1-based, = OGR's feature id) in hamlets.csv.
fn mutate_hamlet(data: &Path, row: usize, m: Mutation) {
    let path = data.join("generated/hamlets.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let col = lines[0].split(',').position(|h| h == "population").unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(String::from).collect();
    cells[col] = match m {
        Mutation::Remove | Mutation::Null => String::new(),
        Mutation::Garble => "1O2".into(),
        Mutation::Negative => "-7".into(),
        Mutation::Valid(x) => x.to_string(),
    };
    lines[row] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// Cases per run (each copies and loads the coarse demo dataset, about a second).
const CASES: usize = 16;

#[test]
fn removed_or_garbled_attributes_fail_by_name_or_load_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = copy_dataset(tmp.path());
    let communes_n = covermap::dataset::load(&pristine).unwrap().communes.len();
    let hamlet_rows = std::fs::read_to_string(pristine.join("generated/hamlets.csv")).unwrap().lines().count() - 1;
    let mut rng = SplitMix64(covermap::dataset::demo::rng::Rng::from_state(20_260_604));
    let (mut errors, mut exact) = (0, 0);
    let mut drawn = std::collections::BTreeSet::new();
    for case in 0..CASES {
        let data = tmp.path().join(format!("case-{case}"));
        copy_dir(&pristine, &data);
        let m = Mutation::draw(&mut rng);
        let hamlet = rng.below(2) == 0;
        let (file, layer, fid, key, index) = if hamlet {
            let row = 1 + rng.below(hamlet_rows as u64) as usize;
            mutate_hamlet(&data, row, m);
            ("hamlets.csv", "hamlets", row as i64, "population", row - 1)
        } else {
            let index = rng.below(communes_n as u64) as usize;
            let key = if rng.below(2) == 0 { "population" } else { "households" };
            mutate_commune(&data, index, key, m);
            ("communes.geojson", "communes", index as i64, key, index)
        };
        drawn.insert((layer, m.family()));
        drawn.insert(("any", m.family()));
        drawn.insert((layer, "any"));
        let what = format!("case {case}: {m:?} of `{key}` of {layer} feature {fid}");
        match (covermap::dataset::load(&data), m) {
            (Ok(ds), Mutation::Valid(x)) => {
                let got = if hamlet {
                    ds.hamlets[index].population
                } else if key == "population" {
                    ds.communes[index].population
                } else {
                    ds.communes[index].households
                };
                assert_eq!(got, x, "{what}: loaded a different value");
                exact += 1;
            }
            (Ok(_), _) => panic!("{what}: loaded without an error"),
            (Err(e), Mutation::Valid(_)) => panic!("{what}: a valid value was refused: {e}"),
            (Err(e), _) => {
                let msg = e.to_string();
                for needle in [file.to_string(), format!("layer `{layer}`"), format!("feature {fid}"), format!("`{key}`")] {
                    assert!(msg.contains(&needle), "{what}: the error should name {needle:?}: {msg}");
                }
                errors += 1;
            }
        }
        std::fs::remove_dir_all(&data).unwrap();
    }
    // The seed draws both outcomes, every mutation family and both layers; a generator change that
    // stopped doing so would test less.
    assert!(errors > 0 && exact > 0, "{errors} errors, {exact} exact loads");
    for family in ["remove", "null", "garble", "negative", "valid"] {
        assert!(drawn.contains(&("any", family)), "the mutation `{family}` was never drawn: {drawn:?}");
    }
    for layer in ["communes", "hamlets"] {
        assert!(drawn.contains(&(layer, "any")), "the layer `{layer}` was never mutated: {drawn:?}");
    }
}
