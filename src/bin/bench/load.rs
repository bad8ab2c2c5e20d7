//! The closed-loop load generator: `connections` keep-alive connections, each running one iteration (a request,
//! or a short browser flow) after another, for a warm-up and then a measured window. Only iterations that start
//! and finish inside the window count; their latencies are kept whole (sorted microseconds) for percentiles.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;

use super::client::{Conn, Request, Target};

pub type BoxFut<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One unit of work on an open connection; `n` numbers the iterations of a run (0, 1, 2…) across connections.
pub type Iteration = Arc<dyn for<'a> Fn(&'a mut Conn, u64) -> BoxFut<'a> + Send + Sync>;

/// Builds the request of iteration `n`.
pub type RequestFn = Arc<dyn Fn(u64) -> Request + Send + Sync>;

/// One request per iteration, whose response must carry `expect`.
pub fn simple(make: RequestFn, expect: u16) -> Iteration {
    Arc::new(move |conn: &mut Conn, n: u64| {
        let bytes = make(n).bytes();
        Box::pin(async move {
            let response = conn.send(&bytes).await?;
            if response.status != expect {
                bail!(
                    "status {} (expected {expect}): {}",
                    response.status,
                    String::from_utf8_lossy(&response.body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                );
            }
            if response.close {
                bail!("server closed the connection");
            }
            Ok(())
        }) as BoxFut<'_>
    })
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Successful iterations inside the window.
    pub ok: usize,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    /// Latencies of the successful iterations, microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ok as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The `q` quantile (0..=1) in milliseconds; NaN when nothing was measured.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies_us.len() as f64 * q).ceil() as usize).clamp(1, self.latencies_us.len());
        f64::from(self.latencies_us[rank - 1]) / 1000.0
    }

    pub fn p50(&self) -> f64 {
        self.quantile_ms(0.50)
    }

    pub fn p99(&self) -> f64 {
        self.quantile_ms(0.99)
    }
}

/// How long to warm up and to measure.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub warmup: Duration,
    pub duration: Duration,
}

/// The measured window of a run that starts now.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: Instant,
    pub end: Instant,
}

impl Timing {
    pub fn window(&self) -> Window {
        let start = Instant::now() + self.warmup;
        Window {
            start,
            end: start + self.duration,
        }
    }
}

/// Drive `iteration` over `connections` connections to `target` until `window.end`, each connection starting
/// the next iteration as soon as the last one finished (closed loop); measure inside the window.
pub async fn drive(target: &Target, iteration: Iteration, connections: usize, window: Window) -> Stats {
    drive_paced(target, iteration, connections, window, None).await
}

/// Like [`drive`], but with `Some(interval)` each connection starts an iteration every `interval` (a probe that
/// measures latency without adding much load). A late iteration's latency counts from when it was due, not from
/// when it could start, so a stalled server is not hidden (no coordinated omission).
pub async fn drive_paced(
    target: &Target,
    iteration: Iteration,
    connections: usize,
    window: Window,
    interval: Option<Duration>,
) -> Stats {
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        let target = target.clone();
        let iteration = iteration.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(worker(target, iteration, counter, window, interval)));
    }
    let mut total = Stats {
        seconds: window.end.saturating_duration_since(window.start).as_secs_f64(),
        ..Stats::default()
    };
    for task in tasks {
        match task.await {
            Ok(part) => {
                total.ok += part.ok;
                total.errors += part.errors;
                total.latencies_us.extend(part.latencies_us);
                if total.first_error.is_none() {
                    total.first_error = part.first_error;
                }
            }
            Err(e) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert_with(|| format!("load task failed: {e}"));
            }
        }
    }
    total.latencies_us.sort_unstable();
    total
}

async fn worker(
    target: Target,
    iteration: Iteration,
    counter: Arc<AtomicU64>,
    window: Window,
    interval: Option<Duration>,
) -> Stats {
    let mut stats = Stats::default();
    let mut conn: Option<Conn> = None;
    // Spread the paced connections' first sends over one interval.
    let mut due = Instant::now() + interval.map_or(Duration::ZERO, |i| i.mul_f64(rand::random::<f64>()));
    while Instant::now() < window.end {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match target.connect().await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    stats.errors += 1;
                    stats.first_error.get_or_insert_with(|| format!("{e:#}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let t0 = match interval {
            Some(interval) => {
                tokio::time::sleep_until(due.into()).await;
                let t = due;
                due += interval;
                t
            }
            None => Instant::now(),
        };
        if t0 >= window.end {
            break;
        }
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let result = iteration(c, n).await;
        let t1 = Instant::now();
        let inside = t0 >= window.start && t1 <= window.end;
        match result {
            Ok(()) if inside => {
                stats.ok += 1;
                stats
                    .latencies_us
                    .push(u32::try_from((t1 - t0).as_micros()).unwrap_or(u32::MAX));
            }
            Ok(()) => {}
            Err(e) => {
                // A failed exchange leaves the connection in an unknown state: open a new one.
                conn = None;
                if t0 >= window.start {
                    stats.errors += 1;
                    stats.first_error.get_or_insert_with(|| format!("{e:#}"));
                }
            }
        }
    }
    stats
}
