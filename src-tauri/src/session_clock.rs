//! The session's clock: when the signed-in person was last active, on both the monotonic and
//! the wall clock, so that the idle lock counts the time a laptop slept and is not fooled by a
//! clock set back; tests move it forward instead of sleeping.

use std::time::{Duration, Instant, SystemTime};

/// A moment on both clocks: the monotonic one (which a clock set back does not fool) and the
/// wall clock (which goes on while the laptop sleeps; the monotonic one stops there).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moment {
    mono: Instant,
    wall: SystemTime,
}

impl Moment {
    /// Time since `earlier` by whichever clock says longer: a laptop closed for an hour has
    /// been idle an hour, and setting the clock back does not make it younger.
    pub(crate) fn since(&self, earlier: &Moment) -> Duration {
        let mono = self.mono.saturating_duration_since(earlier.mono);
        let wall = self.wall.duration_since(earlier.wall).unwrap_or_default();
        mono.max(wall)
    }
}

/// The session's clock, which tests move forward instead of sleeping (the idle lock is then
/// tested with its real minutes, not with milliseconds that a busy machine can overrun):
/// `ahead` moves both clocks, `slept` only the wall clock (a suspended laptop).
#[derive(Debug, Default)]
pub(crate) struct Clock {
    pub(crate) ahead: Duration,
    pub(crate) slept: Duration,
}

impl Clock {
    pub(crate) fn now(&self) -> Moment {
        Moment {
            mono: Instant::now() + self.ahead,
            wall: SystemTime::now() + self.ahead + self.slept,
        }
    }
}
