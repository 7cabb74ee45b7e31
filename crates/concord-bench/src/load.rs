//! A bounded closed-loop load generator: N workers send requests back to back until a
//! request count or a time limit is reached, recording each latency.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Latencies and throughput of one measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// Runs `op(i)` from `workers` tasks until `max` requests or `limit` elapse.
pub async fn run<F, Fut>(workers: usize, max: u64, limit: Duration, op: F) -> Sample
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (op, next, errors) = (op.clone(), next.clone(), errors.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= max || start.elapsed() >= limit {
                        break;
                    }
                    let t = Instant::now();
                    if !op(i).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("load task"));
    }
    summarize(all, start.elapsed(), errors.load(Ordering::Relaxed))
}

fn summarize(mut lat: Vec<Duration>, elapsed: Duration, errors: u64) -> Sample {
    lat.sort();
    let pct = |p: f64| {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i].as_secs_f64() * 1000.0
    };
    Sample {
        requests: lat.len() as u64,
        errors,
        per_second: lat.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
    }
}

/// The median of several runs, figure by figure.
pub fn median(runs: &[Sample]) -> Sample {
    let m = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Sample {
        requests: m(|s| s.requests as f64) as u64,
        errors: m(|s| s.errors as f64) as u64,
        per_second: m(|s| s.per_second),
        p50_ms: m(|s| s.p50_ms),
        p95_ms: m(|s| s.p95_ms),
        p99_ms: m(|s| s.p99_ms),
    }
}
