//! Issue 16, deployment files: the Kubernetes manifests of deploy/k8s parse and carry what the plan →
//! shards → merge → serve chain needs (an Indexed Job whose completions equal the plan's shards and
//! whose pods take their index from JOB_COMPLETION_INDEX; a serve Deployment with several replicas,
//! readiness on /health, behind a Service that selects it), and the Dockerfile is multi-stage on
//! Debian 12. kubeconform needs its schemas from the internet, so the YAML is parsed (PyYAML, from
//! Debian's python3-yaml, installed by `scripts/setup.sh test`) and checked field by field.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn docs() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    files.sort();
    assert!(files.len() >= 4, "deploy/k8s holds the plan, shards, merge and serve manifests");
    let mut out = Vec::new();
    for f in files {
        let o = Command::new("python3")
            .args(["-c", "import sys, json, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)"])
            .arg(&f)
            .output()
            .expect("python3 is needed to parse the manifests");
        assert!(o.status.success(), "{} does not parse as YAML (python3-yaml is installed by scripts/setup.sh test): {}", f.display(), String::from_utf8_lossy(&o.stderr));
        let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        for d in v {
            out.push((f.file_name().unwrap().to_string_lossy().to_string(), d));
        }
    }
    out
}

fn find<'a>(docs: &'a [(String, Value)], kind: &str, name: &str) -> &'a Value {
    &docs.iter().find(|(_, d)| d["kind"] == kind && d["metadata"]["name"] == name).unwrap_or_else(|| panic!("no {kind} {name} in deploy/k8s")).1
}

fn args(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"][0]["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

fn arg_after(args: &[String], flag: &str) -> String {
    let i = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("{flag} missing from {args:?}"));
    args[i + 1].clone()
}

#[test]
fn manifests_chain_plan_indexed_shards_merge_and_serve() {
    let docs = docs();
    for (file, d) in &docs {
        assert!(d["apiVersion"].is_string() && d["kind"].is_string() && d["metadata"]["name"].is_string(), "{file}: apiVersion, kind and metadata.name");
    }
    let plan = find(&docs, "Job", "covermap-plan");
    let shards = find(&docs, "Job", "covermap-shards");
    let merge = find(&docs, "Job", "covermap-merge");
    assert_eq!(shards["apiVersion"], "batch/v1");
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"], "Indexed", "the shards are an Indexed Job");
    let completions = spec["completions"].as_u64().expect("completions");
    assert!(spec["parallelism"].as_u64().unwrap() >= 1 && spec["parallelism"].as_u64().unwrap() <= completions);
    let pod = &spec["template"];
    assert_eq!(pod["spec"]["restartPolicy"], "Never", "Job pods must not restart in place");
    let a = args(pod);
    assert_eq!(a[0], "run-shard");
    assert!(!a.contains(&"--index".to_string()), "the index comes from JOB_COMPLETION_INDEX");
    // The plan's shard count is the Indexed Job's completions; all steps use the same plan and parts.
    let pa = args(&plan["spec"]["template"]);
    assert_eq!(pa[0], "plan");
    assert_eq!(arg_after(&pa, "--shards").parse::<u64>().unwrap(), completions);
    let ma = args(&merge["spec"]["template"]);
    assert_eq!(ma[0], "merge");
    assert_eq!(arg_after(&pa, "--out"), arg_after(&a, "--plan"));
    assert_eq!(arg_after(&ma, "--plan"), arg_after(&a, "--plan"));
    assert_eq!(arg_after(&ma, "--from"), arg_after(&a, "--out"));
    for job in [plan, shards, merge] {
        let img = job["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap();
        assert_eq!(img, shards["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap(), "one binary for every step");
    }

    // Serving: several replicas, ready on /health, one Service selecting them, reading the merged store.
    let dep = find(&docs, "Deployment", "covermap-serve");
    assert!(dep["spec"]["replicas"].as_u64().unwrap() >= 2);
    let c = &dep["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/health");
    let sa = args(&dep["spec"]["template"]);
    assert_eq!(sa[0], "serve");
    assert_eq!(arg_after(&sa, "--store"), arg_after(&ma, "--out"));
    assert_eq!(arg_after(&sa, "--bind"), "0.0.0.0");
    let port: u64 = arg_after(&sa, "--port").parse().unwrap();
    assert_eq!(c["ports"][0]["containerPort"].as_u64(), Some(port));
    let labels = &dep["spec"]["template"]["metadata"]["labels"];
    assert_eq!(&dep["spec"]["selector"]["matchLabels"], labels);
    let svc = docs.iter().find(|(_, d)| d["kind"] == "Service").expect("a Service").1.clone();
    for (k, v) in svc["spec"]["selector"].as_object().unwrap() {
        assert_eq!(&labels[k], v, "the Service selects the serve pods");
    }
}

#[test]
fn dockerfile_is_multi_stage_on_debian_12_with_gdal() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/Dockerfile")).unwrap();
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    assert!(froms.iter().all(|l| l.contains("debian:bookworm")), "Debian 12 (bookworm): {froms:?}");
    assert!(text.contains("libgdal-dev") && text.contains("libproj-dev"), "the build stage has GDAL/PROJ headers");
    assert!(text.contains("libgdal32") && text.contains("proj-data"), "the runtime stage has GDAL/PROJ libraries");
    assert!(text.contains("COPY --from=build") && text.contains("cargo build --release --locked"));
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/README.md").exists());
}
