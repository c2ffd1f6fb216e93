//! Background jobs (UAV flight processing after an upload): the registry of job states with progress,
//! and the upload a UAV job processes. Jobs run on blocking threads; `GET /api/jobs/{id}`
//! ([`super::jobs`]) reads the registry. A plain type: the server state holds one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// A UAV flight as uploaded: the saved images and the form's parameters.
#[derive(Debug, Clone, Serialize)]
pub struct UavUpload {
    pub job_id: u64,
    pub images: Vec<PathBuf>,
    /// Flight date, `YYYY-MM-DD`.
    pub date: String,
    /// Camera preset (`p4m`, `rededge`, `altum`, `generic`).
    pub camera: String,
    /// Optional explicit band mapping, as given.
    pub bands: Option<String>,
    /// The store to write into.
    pub store_dir: PathBuf,
}

/// Reports progress (0–1) and a message from inside a job.
pub type Progress<'a> = &'a (dyn Fn(f64, &str) + Sync);

/// The UAV module's processing of an upload into the store (ingest, indices, statistics), run on a
/// blocking thread. Returns a JSON summary for the job's result.
pub type UavIngest = Arc<dyn Fn(&UavUpload, Progress<'_>) -> crate::Result<serde_json::Value> + Send + Sync>;

#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub id: u64,
    pub kind: String,
    /// `queued`, `running`, `done`, `failed`.
    pub state: String,
    pub progress: f64,
    pub message: String,
    pub result: Option<serde_json::Value>,
    pub created_unix: u64,
    pub finished_unix: Option<u64>,
}

#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<BTreeMap<u64, JobStatus>>,
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Jobs {
    pub fn create(&self, kind: &str) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let st = JobStatus {
            id,
            kind: kind.to_string(),
            state: "queued".into(),
            progress: 0.0,
            message: "queued".into(),
            result: None,
            created_unix: now(),
            finished_unix: None,
        };
        if let Ok(mut j) = self.jobs.lock() {
            // Keep the registry bounded: forget the oldest finished jobs beyond 1,000.
            while j.len() >= 1000 {
                let Some(old) = j.iter().find(|(_, s)| s.finished_unix.is_some()).map(|(k, _)| *k) else { break };
                j.remove(&old);
            }
            j.insert(id, st);
        }
        id
    }

    pub fn update(&self, id: u64, f: impl FnOnce(&mut JobStatus)) {
        if let Ok(mut j) = self.jobs.lock() {
            if let Some(s) = j.get_mut(&id) {
                f(s);
            }
        }
    }

    pub fn progress(&self, id: u64, p: f64, msg: &str) {
        self.update(id, |s| {
            s.state = "running".into();
            s.progress = p.clamp(0.0, 1.0);
            s.message = msg.to_string();
        });
    }

    pub fn finish(&self, id: u64, r: std::result::Result<serde_json::Value, String>) {
        self.update(id, |s| {
            s.finished_unix = Some(now());
            match r {
                Ok(v) => {
                    s.state = "done".into();
                    s.progress = 1.0;
                    s.message = "done".into();
                    s.result = Some(v);
                }
                Err(e) => {
                    s.state = "failed".into();
                    s.message = e;
                }
            }
        });
    }

    pub fn get(&self, id: u64) -> Option<JobStatus> {
        self.jobs.lock().ok().and_then(|j| j.get(&id).cloned())
    }
}

