//! A bound on concurrent argon2 computations in the process, and the working memory they use.
//!
//! Each argon2 hash or verification needs 19 MiB (`domain::password`'s parameters) for the tens of milliseconds it
//! runs, on a blocking thread. Every login pays one — unauthenticated, unknown users included, since they cost a
//! dummy verification for equal timing. With argon2 allocating per call, 200 parallel wrong Basic-auth requests
//! took the server from 38 MB to 3.7 GB (and it stayed there: the allocator kept what each thread had used). Now at
//! most `max` computations run at once, each in a [`Memory`] borrowed from here and given back: at most `max` ×
//! 19 MiB, allocated once. Past the bound, callers wait their turn on their own thread: a flood makes logins
//! slower, not the process bigger. The CPU was the limit on throughput anyway.

use std::sync::{Condvar, Mutex, PoisonError};

use crate::domain::password::Memory;

/// A counting semaphore for blocking code (argon2 runs on blocking threads, never on the reactor) that lends each
/// holder an argon2 working memory.
pub(crate) struct Gate {
    max: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    busy: usize,
    spare: Vec<Memory>,
}

impl Gate {
    pub(crate) fn new(max: usize) -> Gate {
        Gate {
            max: max.max(1),
            state: Mutex::new(State {
                busy: 0,
                spare: Vec::new(),
            }),
            freed: Condvar::new(),
        }
    }

    /// One slot per core plus one, at least 3 and at most 9 (so at most 171 MiB of argon2 memory). The extra
    /// slot keeps the cores busy with argon2 while one slot's thread is descheduled for the reactor, TLS or
    /// anything else on the machine: with exactly one slot per core, logins ran at 0.83–0.97 × the rate of a bare
    /// argon2 loop on the same cores; with one more, 0.93–0.98 × (docs/BENCHMARKS.md), for 19 MiB more at peak.
    pub(crate) fn for_this_machine() -> Gate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gate::new((cores + 1).clamp(3, 9))
    }

    /// Run `f` with a working memory once a slot is free.
    pub(crate) fn run<T>(&self, f: impl FnOnce(&mut Memory) -> T) -> T {
        let spare = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            while state.busy >= self.max {
                state = self.freed.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            state.busy += 1;
            state.spare.pop()
        };
        let mut slot = Slot {
            gate: self,
            memory: Some(spare.unwrap_or_default()),
        };
        let memory = slot.memory.get_or_insert_with(Memory::new);
        f(memory)
    }
}

impl Gate {
    /// Free the working memories no one is using. After the first start's one argon2 run (hashing the super
    /// admin's password) the server would otherwise keep its 19 MiB for good, most of its idle memory.
    pub(crate) fn release_spares(&self) {
        let spare = std::mem::take(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner).spare);
        drop(spare);
    }
}

/// Gives the slot and its memory back, even if `f` panicked.
struct Slot<'a> {
    gate: &'a Gate,
    memory: Option<Memory>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.busy = state.busy.saturating_sub(1);
        if let Some(memory) = self.memory.take() {
            state.spare.push(memory);
        }
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Regression for the login-flood memory blow-up: never more than `max` at once, and everyone gets through.
    #[test]
    fn at_most_max_run_at_once_and_all_finish() {
        let gate = Gate::new(2);
        let (now, peak, done) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..12 {
                s.spawn(|| {
                    gate.run(|_| {
                        let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(running, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(10));
                        now.fetch_sub(1, Ordering::SeqCst);
                    });
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(done.load(Ordering::SeqCst), 12);
        let state = gate.state.lock().unwrap();
        assert_eq!(state.busy, 0);
        assert!(state.spare.len() <= 2, "memories are reused: {}", state.spare.len());
    }

    #[test]
    fn a_panic_inside_gives_the_slot_back() {
        let gate = Gate::new(1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gate.run(|_| panic!("boom"))));
        assert!(caught.is_err());
        assert_eq!(gate.run(|_| 7), 7);
        assert_eq!(gate.state.lock().unwrap().spare.len(), 1);
        gate.release_spares();
        assert!(gate.state.lock().unwrap().spare.is_empty());
        assert_eq!(gate.run(|_| 8), 8, "a later run allocates again");
    }
}
